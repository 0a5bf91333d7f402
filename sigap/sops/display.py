"""SOP facts in words, in the reader's language: why an SOP matched, roles, outcomes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sigap.sops.document import Step
from sigap.tickets.models import Channel, Priority


def in_language(value: Any, language: str | None = None) -> str:
    """A text stored as {"id": …, "en": …} in the reader's language; plain strings as they are."""
    if isinstance(value, dict):
        language = (language or get_language() or "id")[:2]
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
    return {
        "agent": _("Agent"),
        "supervisor": _("Supervisor"),
        "manager": _("Manager"),
    }.get(role, role)


def outcome_label(step: Step | None, outcome: str) -> str:
    if outcome == "approved":
        return _("approved")
    if outcome == "rejected":
        return _("rejected")
    if step is not None:
        for option in step.options:
            if option.key == outcome:
                return option.label.get((get_language() or "id")[:2])
    return outcome
