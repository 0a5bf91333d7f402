"""Reading an SOP from YAML, with every problem tied to its line and field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from django.utils.translation import gettext as _
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from sigap.core.fields import field_path
from sigap.sops.checks import Path, document_problems
from sigap.sops.document import SopDocument


@dataclass(frozen=True)
class SopError:
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = _("line %(line)s") % {"line": self.line} if self.line is not None else _("document")
        return f"{where}, {self.field or _('(top)')}: {self.message}"


class SopInvalid(Exception):
    def __init__(self, errors: list[SopError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def _line_of(node: yaml.Node | None, path: Path) -> int | None:
    """The 1-based line of the YAML node at `path`, or of its nearest existing parent."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in path:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            return line
        node = child
    return line


def _message(item: ErrorDetails) -> str:
    """Pydantic's complaint in plain words, in the reader's language."""
    kind, context = item["type"], item.get("ctx") or {}
    if kind == "value_error":
        # Raised by our own validators, already written in plain (translated) words.
        return str(context.get("error", item["msg"].removeprefix("Value error, ")))
    if kind == "missing":
        return _("this field is required")
    if kind == "extra_forbidden":
        return _("this field is not known here; check its spelling and indentation")
    if kind == "string_type":
        return _("this must be text")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("this must be a whole number")
    if kind in ("bool_type", "bool_parsing"):
        return _("this must be true or false")
    if kind == "list_type":
        return _("this must be a list (lines starting with - or [a, b])")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("this must be a group of fields (key: value)")
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(context.get("expected", "")))
        return _("this must be one of: %(choices)s") % {"choices": ", ".join(choices)}
    if kind == "string_pattern_mismatch":
        return _(
            "use only lowercase letters, digits, - and _, starting with a letter or digit "
            "(for example damaged-product)"
        )
    if kind == "too_short":
        return _("this needs at least %(count)s item(s)") % {"count": context.get("min_length")}
    if kind == "greater_than_equal":
        return _("this must be at least %(limit)s") % {"limit": context.get("ge")}
    if kind == "less_than_equal":
        return _("this must be at most %(limit)s") % {"limit": context.get("le")}
    return item["msg"]


def parse_document(data: Any, node: yaml.Node | None = None) -> SopDocument:
    """Validate parsed YAML/JSON data; SopInvalid lists every problem found."""
    if not isinstance(data, dict):
        raise SopInvalid([SopError(1, "", _("an SOP must be a mapping of fields (key: value)"))])
    try:
        document = SopDocument.model_validate(data)
    except ValidationError as error:
        errors = []
        for item in error.errors():
            path = tuple(p for p in item["loc"] if not str(p).startswith("function-"))
            path = tuple("from" if p == "from_" else "is" if p == "is_" else p for p in path)
            message = _message(item)
            errors.append(SopError(_line_of(node, path), field_path(path), message))
        raise SopInvalid(errors) from None
    problems = document_problems(document)
    if problems:
        raise SopInvalid(
            [SopError(_line_of(node, p.path), field_path(p.path), p.message) for p in problems]
        )
    return document


def load_document(text: str) -> SopDocument:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        message = _("this is not valid YAML: %(problem)s") % {"problem": problem}
        raise SopInvalid([SopError(line, "", message)]) from None
    return parse_document(data, node)


def dump_document(document: SopDocument) -> str:
    data = document.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
