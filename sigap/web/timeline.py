"""A ticket's events in words: who did what, when, and what changed from what to what."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from sigap.feedback.display import EVENT_KINDS as FEEDBACK_EVENTS
from sigap.feedback.display import event_detail as feedback_detail
from sigap.routing.models import Strategy
from sigap.sla.models import EscalationCause, TimerKind
from sigap.sops.display import in_language, outcome_label
from sigap.tickets.events import EventKind
from sigap.tickets.models import (
    Attachment,
    Channel,
    Direction,
    Message,
    Priority,
    Status,
    TicketEvent,
)
from sigap.web.templatetags.humanize_amount import rupiah

# Prefetch for the timeline's events: the files of each message, in the order they came.
ATTACHMENTS = Prefetch(
    "message__attachments", queryset=Attachment.objects.order_by("created_at", "pk")
)


@dataclass(frozen=True)
class Entry:
    kind: str
    actor: str
    verb: str
    detail: str
    at: datetime
    message: Message | None
    # "inbound", "outbound", "note" for messages; "change" for everything else.
    style: str


def _label(choices: Any, value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _from_to(data: dict[str, Any], *, empty: str, labels: Any = None) -> str:
    def show(value: object) -> str:
        if value in (None, ""):
            return empty
        return _label(labels, value) if labels is not None else str(value)

    return _("from %(from)s to %(to)s") % {
        "from": show(data.get("from")),
        "to": show(data.get("to")),
    }


def _detail(event: TicketEvent) -> str:
    data = event.data or {}
    kind = event.kind
    if kind in (EventKind.TICKET_CREATED, EventKind.CONTACT_LOGGED):
        return _("by %(channel)s") % {"channel": _label(Channel, data.get("channel", ""))}
    if kind == EventKind.STATUS_CHANGED:
        text = _from_to(data, empty=_("none"), labels=Status)
        if data.get("reason") == "customer_replied":
            text += " " + _("(the customer wrote again)")
        if data.get("note"):
            text = _("%(change)s, because: %(reason)s") % {"change": text, "reason": data["note"]}
        return text
    if kind == EventKind.PRIORITY_CHANGED:
        return _from_to(data, empty=_("none"), labels=Priority)
    if kind == EventKind.CATEGORY_CHANGED:
        return _from_to(data, empty=_("no category"))
    if kind == EventKind.TEAM_CHANGED:
        return _from_to(data, empty=_("no team"))
    if kind == EventKind.ASSIGNEE_CHANGED:
        return _from_to(data, empty=_("nobody"))
    if kind == EventKind.SUBJECT_CHANGED:
        return _from_to(data, empty="—")
    if kind == EventKind.CHANNEL_CHANGED:
        return _from_to(data, empty="—", labels=Channel)
    if kind == EventKind.CUSTOMER_MERGED:
        return _("%(name)s was merged into this customer") % {"name": data.get("from_name", "")}
    if kind == EventKind.DELIVERY_FAILED:
        return str(data.get("reason", ""))
    if kind == EventKind.ATTACHMENT_REFUSED:
        return _("%(name)s was not kept: %(reason)s") % {
            "name": data.get("filename") or _("a file"),
            "reason": data.get("reason") or _("no reason recorded"),
        }
    if kind == EventKind.SOP_STARTED:
        return in_language(data.get("title")) or str(data.get("sop", ""))
    if kind == EventKind.SOP_SWITCHED:
        return _with_reason(_from_to(data, empty=_("none")), data)
    if kind == EventKind.SOP_STEP_COMPLETED:
        step = in_language(data.get("title")) or str(data.get("step", ""))
        if data.get("outcome"):
            label = in_language(data.get("outcome_label"))
            step += " — " + (label or outcome_label(None, str(data["outcome"])))
        if data.get("note"):
            step += ": " + str(data["note"])
        if data.get("evidence"):
            step += " — " + _("evidence: %(file)s") % {"file": data["evidence"]}
        if data.get("waited_until"):
            step += " — " + _("the wait ended %(when)s") % {"when": _when(data["waited_until"])}
        return step
    if kind in (EventKind.SOP_STEP_WARNED, EventKind.SOP_STEP_OVERDUE):
        return _("%(target)s, due %(due)s") % {
            "target": in_language(data.get("title")) or str(data.get("step", "")),
            "due": _when(data.get("due_at")),
        }
    if kind == EventKind.SOP_APPROVAL_REQUESTED:
        amount = "Rp " + rupiah(Decimal(str(data.get("amount", 0))))
        title = in_language(data.get("title")) or str(data.get("step", ""))
        return _with_reason(f"{title} — {amount}", data)
    if kind == EventKind.PROMISE_MADE:
        return _("“%(phrase)s”, due %(due)s") % {
            "phrase": data.get("phrase", ""),
            "due": _when(data.get("due_at")),
        }
    if kind == EventKind.PROMISE_KEPT:
        text = f"“{data.get('phrase', '')}”"
        return text + (" " + _("(late)") if data.get("late") else "")
    if kind in (EventKind.SLA_WARNED, EventKind.SLA_BREACHED):
        return _("%(target)s, due %(due)s") % {
            "target": _label(TimerKind, data.get("target", "")),
            "due": _when(data.get("due_at")),
        }
    if kind == EventKind.TICKET_ESCALATED:
        text = _("to %(level)s (%(cause)s)") % {
            "level": data.get("level_name", ""),
            "cause": _label(EscalationCause, data.get("cause", "")),
        }
        return _with_reason(text, data)
    if kind == EventKind.SOP_SPECIAL_POLICY_GRANTED:
        step = in_language(data.get("title")) or str(data.get("step", ""))
        allowed = f"“{data.get('description', '')}”"
        return _with_reason(f"{allowed} ({step})" if step else allowed, data)
    if kind == EventKind.ROUTING_ASSIGNED:
        strategy = _label(Strategy, data.get("strategy", "")).lower()
        return _("to %(name)s (%(strategy)s)") % {"name": data.get("to", ""), "strategy": strategy}
    if kind == EventKind.ROUTING_QUEUED:
        return _("waiting for a free agent of %(team)s") % {"team": data.get("team", "")}
    if kind == EventKind.SOP_STEP_WAIVED:
        return _with_reason(in_language(data.get("title")) or str(data.get("step", "")), data)
    if kind in FEEDBACK_EVENTS:
        return feedback_detail(kind, data)
    return ""


def _when(value: Any) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _with_reason(text: str, data: dict[str, Any]) -> str:
    reason = data.get("reason")
    if not reason:
        return text
    return _("%(change)s, because: %(reason)s") % {"change": text, "reason": reason}


def _actor(event: TicketEvent) -> str:
    if event.actor_user is not None:
        return event.actor_user.display_name
    if event.actor_customer is not None:
        return event.actor_customer.display_name
    return _("Sigap")


# Events about a message already shown above them: their entry does not repeat its text.
_ABOUT_A_MESSAGE = {EventKind.ATTACHMENT_REFUSED, EventKind.DELIVERY_FAILED}


def _shown_message(event: TicketEvent) -> Message | None:
    return None if event.kind in _ABOUT_A_MESSAGE else event.message


def _style(event: TicketEvent) -> str:
    message = _shown_message(event)
    if message is None:
        return "change"
    return {
        Direction.INBOUND: "inbound",
        Direction.OUTBOUND: "outbound",
        Direction.NOTE: "note",
    }.get(Direction(message.direction), "change")


def timeline_entries(events: Iterable[TicketEvent]) -> list[Entry]:
    return [
        Entry(
            kind=event.kind,
            actor=_actor(event),
            verb=_label(EventKind, event.kind),
            detail=_detail(event),
            at=event.created_at,
            message=_shown_message(event),
            style=_style(event),
        )
        for event in events
    ]
