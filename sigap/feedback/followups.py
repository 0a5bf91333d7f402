"""Following up after resolution (MISSION F1): scheduled as a row, fired once by the executor,
its result written on the ticket's timeline."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core import clock
from sigap.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from sigap.core.realtime import publish_on_commit
from sigap.feedback.links import follow_up_url
from sigap.feedback.models import (
    OPEN_FOLLOW_UP_STATES,
    FollowUp,
    FollowUpMode,
    FollowUpResult,
    FollowUpState,
)
from sigap.feedback.plans import follow_up_plan
from sigap.feedback.wording import follow_up_message
from sigap.tickets import access
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import LIVE_CHANNELS, Channel, Status, Ticket

BATCH = 100
REOPEN_REASON = "follow_up_problem_continues"


def answer_window() -> timedelta:
    """How long the customer may answer a follow-up message before it counts as no answer."""
    return timedelta(days=int(getattr(settings, "FEEDBACK_FOLLOW_UP_ANSWER_DAYS", 3)))


def follow_up_schedule(*, ticket: Ticket, by: User | None, at: datetime) -> FollowUp | None:
    """A ticket was resolved: plan its follow-up. Call in the resolving transaction."""
    plan = follow_up_plan(ticket)
    if not plan.enabled:
        return None
    follow_up_cancel_open(ticket=ticket)
    mode = FollowUpMode(plan.mode)
    if ticket.channel in LIVE_CHANNELS or ticket.channel == Channel.CHAT:
        # A call or a visit has nothing to send on, and a finished chat has nobody reading it:
        # someone contacts the customer instead.
        mode = FollowUpMode.TASK
    due_at = at + timedelta(days=plan.after_days)
    return FollowUp.objects.create(
        ticket=ticket,
        mode=mode,
        due_at=due_at,
        check_at=due_at,
        assignee_id=ticket.assignee_id or (by.pk if by else None),
        created_at=at,
    )


def follow_up_cancel_open(*, ticket: Ticket) -> int:
    """The ticket became active again: its pending follow-up no longer applies."""
    return FollowUp.objects.filter(ticket=ticket, state__in=OPEN_FOLLOW_UP_STATES).update(
        state=FollowUpState.CANCELLED, check_at=None
    )


def due_follow_ups(now: datetime) -> QuerySet[FollowUp]:
    """What is due: a range scan of follow_up_check_idx, earliest first."""
    return FollowUp.objects.filter(check_at__lte=now).order_by("check_at")


def follow_ups_fire_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Fire every follow-up whose time has come, each exactly once. Returns how many fired."""
    now = now or clock.now()
    with transaction.atomic():
        due = due_follow_ups(now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        rows = list(due.select_related("ticket", "ticket__customer", "assignee")[:limit])
        for follow_up in rows:
            if follow_up.state == FollowUpState.SCHEDULED:
                _fire(follow_up, now)
            elif follow_up.state == FollowUpState.WAITING:
                _record(follow_up, FollowUpResult.NO_ANSWER, by=None, note="", at=now)
            else:
                FollowUp.objects.filter(pk=follow_up.pk).update(check_at=None)
    return len(rows)


def _fire(follow_up: FollowUp, now: datetime) -> None:
    from sigap.tickets.services import ticket_lock_for_work, ticket_notify_customer

    ticket = ticket_lock_for_work(ticket=follow_up.ticket, by=None)
    follow_up.fired_at = now
    message = None
    if follow_up.mode == FollowUpMode.MESSAGE and ticket.status in (
        Status.RESOLVED,
        Status.CLOSED,
    ):
        ticket.customer = follow_up.ticket.customer
        message = ticket_notify_customer(
            ticket=ticket, body=follow_up_message(ticket, follow_up_url(follow_up.pk)), at=now
        )
    if message is not None:
        follow_up.state = FollowUpState.WAITING
        follow_up.check_at = now + answer_window()
    else:
        follow_up.state = FollowUpState.DUE
        follow_up.check_at = None
        # A task appeared on the ticket: a change, so lists sorted by last change show it.
        Ticket.objects.filter(pk=ticket.pk, updated_at__lt=now).update(updated_at=now)
    follow_up.save(update_fields=["fired_at", "state", "check_at"])
    event_record(
        ticket=ticket,
        kind=EventKind.FOLLOW_UP_DUE,
        at=now,
        message=message,
        data={
            "mode": FollowUpMode.MESSAGE if message else FollowUpMode.TASK,
            "due_at": follow_up.due_at.isoformat(),
            "assignee": follow_up.assignee.display_name if follow_up.assignee else None,
        },
    )
    groups = access.realtime_groups(ticket)
    if follow_up.assignee_id is not None:
        groups.append(f"tickets.user.{follow_up.assignee_id}")
    publish_on_commit(groups, {"type": "ticket.changed", "ticket": ticket.pk})


def _record(
    follow_up: FollowUp,
    result: FollowUpResult,
    *,
    by: User | None,
    note: str,
    at: datetime,
    from_customer: bool = False,
) -> None:
    from sigap.tickets.services import ticket_lock_for_work, ticket_reopen_by_system

    ticket = ticket_lock_for_work(ticket=follow_up.ticket, by=None)
    follow_up.state = FollowUpState.DONE
    follow_up.check_at = None
    follow_up.result = result
    follow_up.result_at = at
    follow_up.result_by = by
    follow_up.note = note
    follow_up.save(update_fields=["state", "check_at", "result", "result_at", "result_by", "note"])
    event_record(
        ticket=ticket,
        kind=EventKind.FOLLOW_UP_RECORDED,
        at=at,
        by=by,
        customer=follow_up.ticket.customer if from_customer else None,
        data={"result": result, "note": note},
    )
    if result != FollowUpResult.PROBLEM_CONTINUES:
        return
    if not ticket_reopen_by_system(ticket=ticket, at=at, reason=REOPEN_REASON) and from_customer:
        # A closed ticket cannot reopen: the agent gets a task to call the customer instead.
        FollowUp.objects.create(
            ticket=ticket,
            mode=FollowUpMode.TASK,
            state=FollowUpState.DUE,
            due_at=at,
            check_at=None,
            assignee_id=follow_up.assignee_id,
            created_at=at,
            fired_at=at,
        )


def _clean_note(note: str) -> str:
    note = note.strip()
    if "\x00" in note:
        # PostgreSQL cannot store a NUL character; say so instead of failing on save.
        raise InvalidInput(_("The note contains a character that cannot be saved."), field="note")
    if len(note) > 2000:
        raise InvalidInput(_("The note is longer than 2000 characters."), field="note")
    return note


def _result(value: str) -> FollowUpResult:
    try:
        return FollowUpResult(value)
    except ValueError:
        raise InvalidInput(
            _("Choose satisfied, problem continues or no answer."), field="result"
        ) from None


def follow_up_record(*, follow_up_id: int, by: User, result: str, note: str = "") -> FollowUp:
    """The agent followed up with the customer and writes down how it went."""
    chosen = _result(result)
    note = _clean_note(note)
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("ticket", "ticket__customer")
            .filter(pk=follow_up_id)
            .first()
        )
        if follow_up is None or not access.can_see(by, follow_up.ticket):
            raise NotFound(_("No such follow-up, or you may not see it."))
        if not access.can_work_on(by, follow_up.ticket):
            raise NotAllowed(_("You may not change this ticket."))
        if follow_up.state not in OPEN_FOLLOW_UP_STATES:
            raise Conflict(_("This follow-up is already recorded or no longer applies."))
        _record(follow_up, chosen, by=by, note=note, at=clock.now())
    return follow_up


def follow_up_answer(*, follow_up_id: int, solved: bool, note: str = "") -> FollowUp:
    """The customer answered the follow-up message through its link."""
    note = _clean_note(note)
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("ticket", "ticket__customer")
            .filter(pk=follow_up_id)
            .first()
        )
        if follow_up is None:
            raise NotFound(_("This link is not valid."))
        if follow_up.state != FollowUpState.WAITING:
            raise Conflict(_("This question is closed. To tell us more, reply to our message."))
        result = FollowUpResult.SATISFIED if solved else FollowUpResult.PROBLEM_CONTINUES
        _record(follow_up, result, by=None, note=note, at=clock.now(), from_customer=True)
    return follow_up
