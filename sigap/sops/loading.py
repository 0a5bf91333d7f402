"""Reading an SOP from YAML, with every problem tied to its line and field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from sigap.sops.checks import Path, document_problems
from sigap.sops.document import SopDocument


@dataclass(frozen=True)
class SopError:
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "document"
        return f"{where}, {self.field or '(top)'}: {self.message}"


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


def _field(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse_document(data: Any, node: yaml.Node | None = None) -> SopDocument:
    """Validate parsed YAML/JSON data; SopInvalid lists every problem found."""
    if not isinstance(data, dict):
        raise SopInvalid([SopError(1, "", "an SOP must be a mapping of fields (key: value)")])
    try:
        document = SopDocument.model_validate(data)
    except ValidationError as error:
        errors = []
        for item in error.errors():
            path = tuple(p for p in item["loc"] if not str(p).startswith("function-"))
            path = tuple("from" if p == "from_" else "is" if p == "is_" else p for p in path)
            message = item["msg"].removeprefix("Value error, ")
            errors.append(SopError(_line_of(node, path), _field(path), message))
        raise SopInvalid(errors) from None
    problems = document_problems(document)
    if problems:
        raise SopInvalid(
            [SopError(_line_of(node, p.path), _field(p.path), p.message) for p in problems]
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
        raise SopInvalid([SopError(line, "", f"this is not valid YAML: {problem}")]) from None
    return parse_document(data, node)


def dump_document(document: SopDocument) -> str:
    data = document.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
