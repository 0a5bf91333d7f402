"""Feedback events in words, for the ticket's timeline."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sigap.feedback.models import FollowUpMode, FollowUpResult, SurveyKind
from sigap.tickets.events import EventKind

EVENT_KINDS = frozenset(
    {
        EventKind.FOLLOW_UP_DUE,
        EventKind.FOLLOW_UP_RECORDED,
        EventKind.SURVEY_SENT,
        EventKind.SURVEY_ANSWERED,
        EventKind.FEEDBACK_RECOVERY_OPENED,
        EventKind.FEEDBACK_RECOVERY_DONE,
    }
)


def _label(choices: Any, value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def event_detail(kind: str, data: dict[str, Any]) -> str:
    if kind == EventKind.FOLLOW_UP_DUE:
        if data.get("mode") == FollowUpMode.MESSAGE:
            return _("with a message asking the customer whether the problem is solved")
        who = data.get("assignee") or _("the team")
        return _("as a task for %(who)s") % {"who": who}
    if kind == EventKind.FOLLOW_UP_RECORDED:
        text = _label(FollowUpResult, data.get("result", ""))
        if data.get("note"):
            text += f": {data['note']}"
        return text
    if kind == EventKind.SURVEY_SENT:
        return ", ".join(_label(SurveyKind, k) for k in data.get("kinds", []))
    if kind == EventKind.SURVEY_ANSWERED:
        text = _("%(kind)s: %(score)s") % {
            "kind": _label(SurveyKind, data.get("kind", "")),
            "score": data.get("score"),
        }
        if data.get("previous") is not None:
            text += " " + _("(was %(previous)s)") % {"previous": data["previous"]}
        if data.get("comment"):
            text += f" — “{data['comment']}”"
        return text
    if kind == EventKind.FEEDBACK_RECOVERY_OPENED:
        return _("after a score of %(score)s, for %(who)s") % {
            "score": data.get("score"),
            "who": data.get("assignee") or _("the supervisors"),
        }
    if kind == EventKind.FEEDBACK_RECOVERY_DONE:
        return str(data.get("note", ""))
    return ""
