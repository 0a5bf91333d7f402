"""What happens to a ticket's deadlines as the conversation moves, and the escalation ladder.

The ticket services call the `sla_*` hooks inside their own transaction."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache

from django.db import connection, transaction
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core import clock
from sigap.core.errors import Conflict, InvalidInput
from sigap.core.jobs import job_enqueue
from sigap.core.realtime import publish_on_commit
from sigap.core.rows import insert_instances
from sigap.sla.calendar import BusinessCalendar
from sigap.sla.configuration import calendar_for_team, policy_for_team
from sigap.sla.models import (
    LIVE_STATES,
    RESPONSE_KINDS,
    Escalation,
    EscalationCause,
    Timer,
    TimerKind,
    TimerState,
)
from sigap.sla.policy import Ladder, PolicyDocument, Target
from sigap.sla.responsible import least_loaded
from sigap.sla.timers import (
    timer_new,
    timers_finish,
    timers_pause,
    timers_resume,
)
from sigap.sops.wording import fill_text, template_values
from sigap.tickets import access
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import LIVE_CHANNELS, Priority, Status, Ticket

RESOLVED = (Status.RESOLVED, Status.CLOSED)


def _calendar(ticket: Ticket, is_business: bool) -> BusinessCalendar | None:
    """The team's calendar when a target counts business time; None for calendar time."""
    return calendar_for_team(ticket.team_id) if is_business else None


def _target_timer(
    ticket: Ticket, policy: PolicyDocument, target: Target, kind: TimerKind, at: datetime
) -> Timer | None:
    seconds = getattr(target, kind)
    if not seconds:
        return None
    return timer_new(
        ticket_id=ticket.pk,
        kind=kind,
        seconds=seconds,
        at=at,
        calendar=_calendar(ticket, policy.is_business(target)),
        warn_percent=policy.warn_at_percent,
    )


def _level_timer(ticket: Ticket, policy: PolicyDocument, level: int, at: datetime) -> Timer | None:
    """The clock of a ladder level with a time limit; the ladder counts the policy's hours."""
    assert policy.ladder is not None
    within = policy.ladder.levels[level - 1].within
    if within is None:
        return None
    return timer_new(
        ticket_id=ticket.pk,
        kind=TimerKind.ESCALATION,
        seconds=within,
        at=at,
        calendar=_calendar(ticket, policy.business_hours),
        warn_percent=policy.warn_at_percent,
        level=level,
    )


def sla_ticket_opened(
    *, ticket: Ticket, text: str, at: datetime, first_contact: bool = False
) -> None:
    """Start the ticket's targets from the policy in force now, and check the criteria that
    send it straight up the ladder. `first_contact`: the customer is new with this ticket."""
    policy = policy_for_team(ticket.team_id)
    target = policy.target_for(ticket.channel, ticket.priority)
    kinds = [TimerKind.RESOLUTION]
    # Answered live: someone spoke to the customer already, so only resolution is tracked.
    if ticket.channel not in LIVE_CHANNELS:
        kinds.append(TimerKind.FIRST_RESPONSE)
    timers = [_target_timer(ticket, policy, target, kind, at) for kind in kinds] if target else []
    ladder = policy.ladder
    if ladder is not None:
        timers.append(_level_timer(ticket, policy, 1, at))
    insert_instances([timer for timer in timers if timer is not None])
    if ladder is None:
        return
    reason = _criteria_reason(ticket, text, ladder, first_contact)
    if reason:
        _climb(
            ticket,
            policy,
            ladder.criteria.to_level,
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
    if _response_clock_running(ticket.pk):
        return
    policy = policy_for_team(ticket.team_id)
    target = policy.target_for(ticket.channel, ticket.priority)
    timer = _target_timer(ticket, policy, target, TimerKind.NEXT_RESPONSE, at) if target else None
    if timer is not None:
        timer.save()


# Asked for every mail a customer adds to a ticket: written out, as _tickets_since is.
_RESPONSE_CLOCK_RUNNING = (
    'SELECT 1 FROM "sla_timer" WHERE "ticket_id" = %s AND "kind" IN (%s, %s)'
    ' AND "state" IN (%s, %s) LIMIT 1'
)


def _response_clock_running(ticket_id: int) -> bool:
    """Whether a first or next response is being waited for already."""
    with connection.cursor() as cursor:
        values: list[int | str] = [ticket_id, *map(str, RESPONSE_KINDS), *map(str, LIVE_STATES)]
        cursor.execute(_RESPONSE_CLOCK_RUNNING, values)
        return cursor.fetchone() is not None


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
    if status == Status.PENDING_CUSTOMER:
        timers_pause(ticket_id=ticket.pk, at=at, calendar=calendar_for_team(ticket.team_id))
    elif previous == Status.PENDING_CUSTOMER:
        timers_resume(ticket_id=ticket.pk, at=at, calendar=calendar_for_team(ticket.team_id))


def _criteria_reason(ticket: Ticket, text: str, ladder: Ladder, first_contact: bool) -> str:
    criteria = ladder.criteria
    lowered = text.lower()
    # Most messages mention none of the words: one pass finds that. One that does names the
    # first word of the list it mentions.
    if criteria.keywords and _keywords_pattern(criteria.keywords).search(lowered):
        for word in criteria.keywords:
            if _keywords_pattern((word,)).search(lowered):
                return _("The customer's message mentions “%(word)s”.") % {"word": word}
    if criteria.vip and ticket.customer.is_vip:
        return _("The customer is a VIP.")
    repeat = criteria.repeat
    if repeat is not None:
        since = ticket.created_at - timedelta(days=repeat.within_days)
        if repeat.categories and (
            ticket.category is None or ticket.category.slug not in repeat.categories
        ):
            return ""
        if first_contact:
            count = 1  # this ticket: a customer new with it has no others to count
        elif repeat.categories:
            count = Ticket.objects.filter(
                customer_id=ticket.customer_id,
                created_at__gte=since,
                category__slug__in=repeat.categories,
            ).count()
        else:
            count = _tickets_since(ticket.customer_id, since)
        if count >= repeat.count:
            return _("This is contact number %(count)s from this customer in %(days)s days.") % {
                "count": count,
                "days": repeat.within_days,
            }
    return ""


@cache
def _keywords_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the words, as a whole word, in lowered text."""
    words = "|".join(re.escape(word.lower()) for word in keywords)
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)")


def _tickets_since(customer_id: int, since: datetime) -> int:
    """How many tickets the customer opened since `since`, this one included.

    Asked for every new ticket: written out, it costs a tenth of the CPU of the same query
    built by the ORM. It reads ticket_customer_idx.
    """
    meta = Ticket._meta
    quote = connection.ops.quote_name
    # Only the model's own table and column names are formatted in; values go as parameters.
    statement = "SELECT COUNT(*) FROM {} WHERE {} = %s AND {} >= %s".format(  # noqa: S608, UP032  # nosec B608
        quote(meta.db_table),
        quote(str(meta.get_field("customer").column)),
        quote(str(meta.get_field("created_at").column)),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [customer_id, connection.ops.adapt_datetimefield_value(since)])
        row = cursor.fetchone()
    return int(row[0])


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
    timers_finish(
        ticket_id=ticket.pk, kinds=(TimerKind.ESCALATION,), at=at, state=TimerState.STOPPED
    )
    timer = _level_timer(ticket, policy, level, at)
    if timer is not None:
        timer.save()
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
        body = fill_text(text, template_values(ticket, None, ""))
        ticket_notify_customer(ticket=ticket, body=body, at=at)
    if "notify" in actions:
        job_enqueue(
            kind="sla_escalation_email",
            payload={"escalation": escalation.pk},
            idempotency_key=f"sla-escalation:{escalation.pk}",
        )


def _climb(
    ticket: Ticket,
    policy: PolicyDocument,
    level: int,
    *,
    cause: EscalationCause,
    reason: str,
    by: User | None,
    at: datetime,
) -> None:
    """Climb to `level` when the ladder has it and the ticket is below it; otherwise the
    ticket stays where it is. For the desk's own climbs, inside the caller's transaction."""
    ladder = policy.ladder
    if ladder is None or level > len(ladder.levels) or level <= current_level(ticket):
        return
    _escalate(ticket=ticket, policy=policy, level=level, cause=cause, reason=reason, by=by, at=at)


def sla_level_expired(*, timer: Timer, at: datetime) -> None:
    """Called by the executor inside its transaction when a level's time limit passed."""
    ticket = Ticket.objects.select_for_update().get(pk=timer.ticket_id)
    if ticket.status in RESOLVED:
        return
    policy = policy_for_team(ticket.team_id)
    level = timer.level or 1
    levels = policy.ladder.levels if policy.ladder else ()
    name = levels[level - 1].name if level <= len(levels) else ""
    _climb(
        ticket,
        policy,
        level + 1,
        cause=EscalationCause.TIMER,
        reason=_("%(level)s did not finish within its time limit.") % {"level": name},
        by=None,
        at=at,
    )


def sla_sop_escalated(*, ticket: Ticket, by: User, role: str, reason: str) -> None:
    """An SOP `escalate` step hands the ticket to the first ladder level held by `role`.
    Called inside the SOP service's transaction; a ticket already there stays."""
    policy = policy_for_team(ticket.team_id)
    levels = policy.ladder.levels if policy.ladder else ()
    first = next((i for i, spec in enumerate(levels, 1) if spec.role == role), None)
    if first is not None:
        _climb(
            ticket, policy, first, cause=EscalationCause.SOP, reason=reason, by=by, at=clock.now()
        )


def sla_approval_requested(*, ticket: Ticket, by: User, amount: str) -> None:
    """An amount above the asker's authority went to the approvers: with the criterion on,
    the ticket climbs to the criteria level too, so a supervisor owns it."""
    policy = policy_for_team(ticket.team_id)
    if policy.ladder is None or not policy.ladder.criteria.refund_above_authority:
        return
    _climb(
        ticket,
        policy,
        policy.ladder.criteria.to_level,
        cause=EscalationCause.CRITERIA,
        reason=_("Rp %(amount)s needs approval above the agent's authority.") % {"amount": amount},
        by=by,
        at=clock.now(),
    )
