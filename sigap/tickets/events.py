"""The kinds of timeline event, and the one function that writes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import User
from sigap.core.rows import insert_values
from sigap.customers.models import Customer
from sigap.tickets.models import Message, Ticket, TicketEvent


class EventKind(models.TextChoices):
    TICKET_CREATED = "ticket_created", _("created the ticket")
    CONTACT_LOGGED = "contact_logged", _("logged the contact")
    MESSAGE_RECEIVED = "message_received", _("wrote")
    REPLY_SENT = "reply_sent", _("replied")
    NOTE_ADDED = "note_added", _("added an internal note")
    STATUS_CHANGED = "status_changed", _("changed the status")
    PRIORITY_CHANGED = "priority_changed", _("changed the priority")
    CATEGORY_CHANGED = "category_changed", _("changed the category")
    TEAM_CHANGED = "team_changed", _("moved the ticket to another team")
    ASSIGNEE_CHANGED = "assignee_changed", _("changed the assignee")
    SUBJECT_CHANGED = "subject_changed", _("changed the subject")
    CUSTOMER_MERGED = "customer_merged", _("merged the customer record")
    DELIVERY_FAILED = "delivery_failed", _("could not deliver a reply")
    SOP_STARTED = "sop_started", _("started the SOP")
    SOP_SWITCHED = "sop_switched", _("switched the SOP")
    SOP_STEP_COMPLETED = "sop_step_completed", _("completed an SOP step")
    SOP_STEP_WAIVED = "sop_step_waived", _("waived an SOP step")
    SOP_APPROVAL_REQUESTED = "sop_approval_requested", _("asked for approval")
    SOP_STEP_WARNED = "sop_step_warned", _("warned that an SOP step is due soon")
    SOP_STEP_OVERDUE = "sop_step_overdue", _("recorded an overdue SOP step")
    PROMISE_MADE = "promise_made", _("promised the customer")
    PROMISE_KEPT = "promise_kept", _("kept a promise")
    SLA_WARNED = "sla_warned", _("warned that a response-time target runs out soon")
    SLA_BREACHED = "sla_breached", _("recorded a missed response-time target")
    TICKET_ESCALATED = "ticket_escalated", _("escalated the ticket")
    CUSTOMER_NOTIFIED = "customer_notified", _("sent the customer an automatic notice")
    ATTACHMENT_REFUSED = "attachment_refused", _("sent an attachment the desk did not keep")
    SOP_SPECIAL_POLICY_GRANTED = "sop_special_policy_granted", _("granted a special policy")
    FOLLOW_UP_DUE = "follow_up_due", _("started the follow-up")
    FOLLOW_UP_RECORDED = "follow_up_recorded", _("recorded the follow-up")
    SURVEY_SENT = "survey_sent", _("sent a satisfaction survey")
    SURVEY_ANSWERED = "survey_answered", _("answered the survey")
    FEEDBACK_RECOVERY_OPENED = "feedback_recovery_opened", _("opened a recovery task")
    FEEDBACK_RECOVERY_DONE = "feedback_recovery_done", _("finished the recovery task")
    CHANNEL_CHANGED = "channel_changed", _("moved the conversation to another channel")
    ROUTING_ASSIGNED = "routing_assigned", _("assigned the ticket by routing")
    ROUTING_QUEUED = "routing_queued", _("put the ticket in the team queue")


# Every column but the key, which is not read back: nothing that records an event uses it,
# and on PostgreSQL reading it back is a round trip of its own for every event.
_EVENT_COLUMNS = (
    "ticket",
    "kind",
    "actor_user",
    "actor_customer",
    "message",
    "data",
    "created_at",
)


def event_record(
    *,
    ticket: Ticket,
    kind: EventKind,
    at: datetime,
    by: User | None = None,
    customer: Customer | None = None,
    message: Message | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    row = (
        ticket.pk,
        kind,
        by.pk if by is not None else None,
        customer.pk if customer is not None else None,
        message.pk if message is not None else None,
        data or {},
        at,
    )
    insert_values(TicketEvent, _EVENT_COLUMNS, [row])
