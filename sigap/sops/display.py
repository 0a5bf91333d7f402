"""SOP facts in words, in the reader's language: why an SOP matched, roles, outcomes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sigap.accounts.models import Role
from sigap.sops.document import SopDocument, Step
from sigap.sops.loading import SopInvalid, load_document
from sigap.tickets.models import Channel, Priority


def reader_language() -> str:
    """The language SOP texts are shown in: the active one, as the document's "id" or "en"."""
    return (get_language() or "id")[:2]


def in_language(value: Any, language: str | None = None) -> str:
    """A text stored as {"id": …, "en": …} in the reader's language; plain strings as they are."""
    if isinstance(value, dict):
        language = (language or reader_language())[:2]
        return str(value.get(language) or value.get("id") or value.get("en") or "")
    return "" if value is None else str(value)


def reason_text(reason: Any) -> str:
    if not isinstance(reason, dict):
        return str(reason)  # a switch reason, written by a person
    kind, value = reason.get("kind"), str(reason.get("value", ""))
    if kind == "keyword":
        return _("keyword “%(word)s”") % {"word": value}
    if kind == "category":
        return _("category %(category)s") % {"category": value}
    if kind == "channel":
        return _("channel %(channel)s") % {"channel": _choice(Channel, value)}
    if kind == "priority":
        return _("priority %(priority)s") % {"priority": _choice(Priority, value)}
    if kind == "fallback":
        return _("no more specific SOP applies")
    return value


def _choice(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def role_label(role: str) -> str:
    if role.startswith("team:"):
        return _("team %(team)s") % {"team": role[5:]}
    return _choice(Role, role)


def outcome_label(step: Step | None, outcome: str) -> str:
    if outcome == "approved":
        return _("approved")
    if outcome == "rejected":
        return _("rejected")
    if step is not None:
        for option in step.options:
            if option.key == outcome:
                return option.label.get(reader_language())
    return outcome


_LIST_ITEMS = {
    "steps": gettext_lazy("step %(number)s"),
    "options": gettext_lazy("option %(number)s"),
    "quality_standards": gettext_lazy("standard %(number)s"),
}


def field_in_words(field: str) -> str:
    """A field path as an author reads it: steps[0].deadline.within → step 1 › deadline › within."""
    words: list[str] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", field):
        if name:
            words.append(name.replace("_", " "))
            continue
        container = words[-1].replace(" ", "_") if words else ""
        if container in _LIST_ITEMS:
            words[-1] = _LIST_ITEMS[container] % {"number": int(index) + 1}
        else:
            words.append(gettext_lazy("item %(number)s") % {"number": int(index) + 1})
    return " › ".join(words)


@dataclass(frozen=True)
class DocumentSummary:
    key: str
    title: str
    steps: int
    mandatory_steps: int
    channels: list[str]
    categories: list[str]
    keywords: list[str]
    priorities: list[str]

    @property
    def has_triggers(self) -> bool:
        return bool(self.channels or self.categories or self.keywords or self.priorities)


def document_summary(document: SopDocument) -> DocumentSummary:
    """What a valid document amounts to, in the reader's language."""
    language = reader_language()
    triggers = document.triggers
    return DocumentSummary(
        key=document.key,
        title=document.title.get(language),
        steps=len(document.steps),
        mandatory_steps=sum(1 for step in document.steps if step.mandatory),
        channels=[_choice(Channel, channel) for channel in triggers.channels],
        categories=list(triggers.categories),
        keywords=triggers.keywords.all(),
        priorities=[_choice(Priority, priority) for priority in triggers.priorities],
    )


@dataclass(frozen=True)
class DocumentProblem:
    line: int | None
    field: str
    where: str
    message: str


@dataclass(frozen=True)
class DocumentCheck:
    """A document checked as its author types: every problem by line, or what it amounts to."""

    problems: list[DocumentProblem]
    summary: DocumentSummary | None

    @property
    def is_valid(self) -> bool:
        return self.summary is not None


def document_check(text: str) -> DocumentCheck:
    """Validate `text` as `/api/sops/validate` does, in the reader's language, problems in line
    order so the author can walk down the document."""
    try:
        document = load_document(text)
    except SopInvalid as invalid:
        problems = [
            DocumentProblem(
                line=error.line,
                field=error.field,
                where=field_in_words(error.field),
                message=error.message,
            )
            for error in invalid.errors
        ]
        problems.sort(key=lambda p: (p.line is None, p.line or 0))
        return DocumentCheck(problems=problems, summary=None)
    return DocumentCheck(problems=[], summary=document_summary(document))
