"""What happens to a ticket's deadlines as the conversation moves, and the escalation ladder.

The ticket services call the `sla_*` hooks inside their own transaction."""

from __future__ import annotations

import re
import string
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core import clock
from sigap.core.errors import Conflict, InvalidInput
from sigap.core.jobs import job_enqueue
from sigap.core.realtime import publish_on_commit
from sigap.sla.configuration import calendar_for_team, policy_for_team
from sigap.sla.models import (
    RESPONSE_KINDS,
    Escalation,
    EscalationCause,
    Timer,
    TimerKind,
    TimerState,
)
from sigap.sla.policy import Ladder, PolicyDocument
from sigap.sla.responsible import least_loaded
from sigap.sla.timers import (
    CalendarOf,
    timer_new,
    timer_start,
    timers_finish,
    timers_pause,
    timers_resume,
)
from sigap.sops.wording import template_values
from sigap.tickets import access
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import Priority, Status, Ticket

# Answered live: someone spoke to the customer already, so only resolution is tracked.
LIVE_CHANNELS = ("phone", "walk_in")
RESOLVED = (Status.RESOLVED, Status.CLOSED)


def sla_ticket_opened(*, ticket: Ticket, text: str, at: datetime) -> None:
    """Start the ticket's targets from the policy in force now, and check the criteria that
    send it straight up the ladder."""
    policy = policy_for_team(ticket.team_id)
    target = policy.target_for(ticket.channel, ticket.priority)
    timers = []
    if target is not None:
        calendar = calendar_for_team(ticket.team_id) if policy.is_business(target) else None
        wanted = [(TimerKind.RESOLUTION, target.resolution)]
        if ticket.channel not in LIVE_CHANNELS:
            wanted.append((TimerKind.FIRST_RESPONSE, target.first_response))
        timers += [
            timer_new(
                ticket_id=ticket.pk,
                kind=kind,
                seconds=seconds,
                at=at,
                calendar=calendar,
                warn_percent=policy.warn_at_percent,
            )
            for kind, seconds in wanted
            if seconds
        ]
    ladder = policy.ladder
    reason = _criteria_reason(ticket, text, ladder) if ladder is not None else ""
    if ladder is not None and not reason and ladder.levels[0].within:
        timers.append(
            timer_new(
                ticket_id=ticket.pk,
                kind=TimerKind.ESCALATION,
                seconds=ladder.levels[0].within,
                at=at,
                calendar=calendar_for_team(ticket.team_id) if policy.business_hours else None,
                warn_percent=policy.warn_at_percent,
                level=1,
            )
        )
    Timer.objects.bulk_create(timers)
    if ladder is not None and reason:
        _escalate(
            ticket=ticket,
            policy=policy,
            level=ladder.criteria.to_level,
            cause=EscalationCause.CRITERIA,
            reason=reason,
            by=None,
            at=at,
        )


def sla_customer_wrote(*, ticket: Ticket, at: datetime) -> None:
    """A customer message waits for an answer: the next-response clock starts, unless the
    first response (or an earlier next response) is still being waited for."""
    if ticket.channel in LIVE_CHANNELS:
        return
    if Timer.objects.filter(
        ticket_id=ticket.pk, kind__in=RESPONSE_KINDS, state__in=("running", "paused")
    ).exists():
        return
    policy = policy_for_team(ticket.team_id)
    target = policy.target_for(ticket.channel, ticket.priority)
    if target is None or not target.next_response:
        return
    timer_start(
        ticket_id=ticket.pk,
        kind=TimerKind.NEXT_RESPONSE,
        seconds=target.next_response,
        at=at,
        calendar=calendar_for_team(ticket.team_id) if policy.is_business(target) else None,
        warn_percent=policy.warn_at_percent,
    )


def sla_agent_replied(*, ticket: Ticket, at: datetime) -> None:
    timers_finish(ticket_id=ticket.pk, kinds=RESPONSE_KINDS, at=at, state=TimerState.MET)


def sla_status_changed(*, ticket: Ticket, previous: str, at: datetime) -> None:
    """Waiting on the customer pauses every clock; their answer resumes them; resolving meets
    the resolution target and stops the rest."""
    status = ticket.status
    if status in RESOLVED:
        timers_finish(
            ticket_id=ticket.pk, kinds=(TimerKind.RESOLUTION,), at=at, state=TimerState.MET
        )
        timers_finish(
            ticket_id=ticket.pk,
            kinds=(*RESPONSE_KINDS, TimerKind.ESCALATION),
            at=at,
            state=TimerState.STOPPED,
        )
        return
    calendar_of = CalendarOf(calendar_for_team(ticket.team_id))
    if status == Status.PENDING_CUSTOMER:
        timers_pause(ticket_id=ticket.pk, at=at, calendar_of=calendar_of)
    elif previous == Status.PENDING_CUSTOMER:
        timers_resume(ticket_id=ticket.pk, at=at, calendar_of=calendar_of)


def _level_timer(ticket: Ticket, policy: PolicyDocument, level: int, at: datetime) -> None:
    assert policy.ladder is not None
    timers_finish(
        ticket_id=ticket.pk, kinds=(TimerKind.ESCALATION,), at=at, state=TimerState.STOPPED
    )
    spec = policy.ladder.levels[level - 1]
    if spec.within is None:
        return
    timer_start(
        ticket_id=ticket.pk,
        kind=TimerKind.ESCALATION,
        seconds=spec.within,
        at=at,
        calendar=calendar_for_team(ticket.team_id) if policy.business_hours else None,
        warn_percent=policy.warn_at_percent,
        level=level,
    )


def _criteria_reason(ticket: Ticket, text: str, ladder: Ladder) -> str:
    criteria = ladder.criteria
    lowered = text.lower()
    for word in criteria.keywords:
        if re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", lowered):
            return _("The customer's message mentions “%(word)s”.") % {"word": word}
    if criteria.vip and ticket.customer.is_vip:
        return _("The customer is a VIP.")
    repeat = criteria.repeat
    if repeat is not None:
        since = ticket.created_at - timedelta(days=repeat.within_days)
        earlier = Ticket.objects.filter(customer_id=ticket.customer_id, created_at__gte=since)
        if repeat.categories:
            earlier = earlier.filter(category__slug__in=repeat.categories)
            if ticket.category is None or ticket.category.slug not in repeat.categories:
                return ""
        count = earlier.count()
        if count >= repeat.count:
            return _("This is contact number %(count)s from this customer in %(days)s days.") % {
                "count": count,
                "days": repeat.within_days,
            }
    return ""


class _KeepMissing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def current_level(ticket: Ticket) -> int:
    latest = Escalation.objects.filter(ticket_id=ticket.pk).order_by("-at", "-id").first()
    return latest.level if latest is not None else 1


def ticket_escalate(
    *,
    ticket: Ticket,
    by: User | None,
    reason: str,
    cause: EscalationCause = EscalationCause.MANUAL,
    to_level: int | None = None,
) -> Escalation:
    """Hand the ticket to the next level of the ladder (or to `to_level`), with a reason."""
    from sigap.tickets.services import ticket_lock_for_work

    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the ticket is escalated."), field="reason")
    with transaction.atomic():
        locked = ticket_lock_for_work(ticket=ticket, by=by)
        if locked.status in RESOLVED:
            raise Conflict(_("A resolved ticket is not escalated; reopen it first."))
        policy = policy_for_team(locked.team_id)
        if policy.ladder is None:
            raise Conflict(_("This team's response-time policy has no escalation ladder."))
        now_level = current_level(locked)
        level = to_level or now_level + 1
        if level > len(policy.ladder.levels):
            raise Conflict(_("The ticket is already at the highest level of the ladder."))
        if level <= now_level:
            raise Conflict(_("The ticket is already at this level or higher."))
        escalation = _escalate(
            ticket=locked,
            policy=policy,
            level=level,
            cause=cause,
            reason=reason,
            by=by,
            at=clock.now(),
        )
    ticket.refresh_from_db()
    return escalation


def _escalate(
    *,
    ticket: Ticket,
    policy: PolicyDocument,
    level: int,
    cause: EscalationCause,
    reason: str,
    by: User | None,
    at: datetime,
) -> Escalation:
    assert policy.ladder is not None
    spec = policy.ladder.levels[level - 1]
    assert spec.role is not None
    escalation = Escalation.objects.create(
        ticket=ticket,
        level=level,
        level_name=spec.name,
        role=spec.role,
        cause=cause,
        reason=reason,
        by=by,
        at=at,
    )
    event_record(
        ticket=ticket,
        kind=EventKind.TICKET_ESCALATED,
        at=at,
        by=by,
        data={
            "level": level,
            "level_name": spec.name,
            "role": spec.role,
            "cause": cause,
            "reason": reason,
        },
    )
    _level_timer(ticket, policy, level, at)
    _perform_actions(ticket, policy, escalation, at)
    publish_on_commit(
        access.realtime_groups(ticket),
        {"type": "sla.alert", "ticket": ticket.pk, "stage": "escalated", "level": level},
    )
    return escalation


def _perform_actions(
    ticket: Ticket, policy: PolicyDocument, escalation: Escalation, at: datetime
) -> None:
    from sigap.tickets.services import (
        ticket_assign_by_system,
        ticket_notify_customer,
        ticket_raise_priority,
    )

    assert policy.ladder is not None
    actions = policy.ladder.levels[escalation.level - 1].actions
    if "reassign" in actions:
        person = least_loaded(escalation.role, ticket.team_id)
        if person is not None and person.pk != ticket.assignee_id:
            ticket_assign_by_system(ticket=ticket, assignee=person, at=at)
    if "raise_priority" in actions:
        order = list(Priority.values)
        position = order.index(ticket.priority)
        if position + 1 < len(order):
            ticket_raise_priority(ticket=ticket, priority=order[position + 1], at=at)
    if "inform_customer" in actions:
        texts = policy.ladder.inform_customer
        text = texts.get(ticket.language) or next(iter(texts.values()))
        values = template_values(ticket, None, "")
        body = string.Formatter().vformat(text, (), _KeepMissing(values))
        ticket_notify_customer(ticket=ticket, body=body, at=at)
    if "notify" in actions:
        job_enqueue(
            kind="sla_escalation_email",
            payload={"escalation": escalation.pk},
            idempotency_key=f"sla-escalation:{escalation.pk}",
        )


def sla_level_expired(*, timer: Timer, at: datetime) -> None:
    """Called by the executor inside its transaction when a level's time limit passed."""
    ticket = Ticket.objects.select_for_update().get(pk=timer.ticket_id)
    policy = policy_for_team(ticket.team_id)
    level = (timer.level or 1) + 1
    if ticket.status in RESOLVED or policy.ladder is None or level > len(policy.ladder.levels):
        return
    if level <= current_level(ticket):
        return
    spec = policy.ladder.levels[level - 2]
    _escalate(
        ticket=ticket,
        policy=policy,
        level=level,
        cause=EscalationCause.TIMER,
        reason=_("%(level)s did not finish within its time limit.") % {"level": spec.name},
        by=None,
        at=at,
    )


def sla_sop_escalated(*, ticket: Ticket, by: User, role: str, reason: str) -> None:
    """An SOP `escalate` step hands the ticket to the first ladder level held by `role`.
    Called inside the SOP service's transaction; a ticket already there stays."""
    policy = policy_for_team(ticket.team_id)
    if policy.ladder is None:
        return
    levels = [i for i, spec in enumerate(policy.ladder.levels, 1) if spec.role == role]
    if not levels or levels[0] <= current_level(ticket):
        return
    _escalate(
        ticket=ticket,
        policy=policy,
        level=levels[0],
        cause=EscalationCause.SOP,
        reason=reason,
        by=by,
        at=clock.now(),
    )


def sla_approval_requested(*, ticket: Ticket, by: User, amount: str) -> None:
    """An amount above the asker's authority went to the approvers: with the criterion on,
    the ticket climbs to the criteria level too, so a supervisor owns it."""
    policy = policy_for_team(ticket.team_id)
    ladder = policy.ladder
    if ladder is None or not ladder.criteria.refund_above_authority:
        return
    if ladder.criteria.to_level <= current_level(ticket):
        return
    _escalate(
        ticket=ticket,
        policy=policy,
        level=ladder.criteria.to_level,
        cause=EscalationCause.CRITERIA,
        reason=_("Rp %(amount)s needs approval above the agent's authority.") % {"amount": amount},
        by=by,
        at=clock.now(),
    )
