"""The executor: claims due timers and fires each exactly once.

Claim and fire happen in one transaction: a worker killed mid-way rolls back and another
worker takes the same rows; two workers never take the same row (SKIP LOCKED on PostgreSQL;
SQLite has one writer). After a clock jump, overdue timers fire in order of their deadline,
and a timer whose warning and breach are both past fires only its breach."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import F

from sigap.core import clock
from sigap.core.models import Job
from sigap.core.realtime import publish_on_commit
from sigap.sla.models import Timer, TimerKind, TimerState
from sigap.tickets import access
from sigap.tickets.events import EventKind
from sigap.tickets.models import Ticket, TicketEvent

BATCH = 500


def timers_claim_due(now: datetime, limit: int) -> list[Timer]:
    """Lock and return up to `limit` timers whose next firing is due, earliest first."""
    due = Timer.objects.filter(fire_at__lte=now).order_by("fire_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    return list(due[:limit])


def sla_fire_due(*, limit: int = BATCH, now: datetime | None = None) -> int:
    """Fire every warning, breach and ladder step that is due. Returns how many fired."""
    now = now or clock.now()
    with transaction.atomic():
        timers = timers_claim_due(now, limit)
        if not timers:
            return 0
        climbs = [t for t in timers if t.kind == TimerKind.ESCALATION]
        alerts = [t for t in timers if t.kind != TimerKind.ESCALATION]
        _fire_alerts(alerts, now)
        for timer in climbs:
            _climb(timer, now)
    return len(timers)


def _fire_alerts(timers: list[Timer], now: datetime) -> None:
    events = []
    jobs = []
    for timer in timers:
        assert timer.due_at is not None
        if now < timer.due_at:
            stage, kind = "warning", EventKind.SLA_WARNED
            timer.warned_at = now
            timer.fire_at = timer.due_at
        else:
            stage, kind = "breach", EventKind.SLA_BREACHED
            # The target was missed at its deadline, however late the executor noticed.
            timer.breached_at = timer.due_at
            timer.fire_at = None
        events.append(
            TicketEvent(
                ticket_id=timer.ticket_id,
                kind=kind,
                data={"target": timer.kind, "due_at": timer.due_at.isoformat()},
                created_at=now,
            )
        )
        jobs.append(
            Job(
                kind="sla_alert_email",
                payload={"timer": timer.pk, "stage": stage},
                idempotency_key=f"sla-alert:{timer.pk}:{stage}",
                due_at=now,
                created_at=now,
            )
        )
    # Two set-based statements, not a per-row CASE: the values follow from each row's own
    # deadline, and a 500-arm bulk_update cost three quarters of the firing time.
    warned = [t.pk for t in timers if t.breached_at is None]
    breached = [t.pk for t in timers if t.breached_at is not None]
    if warned:
        Timer.objects.filter(pk__in=warned).update(warned_at=now, fire_at=F("due_at"))
    if breached:
        Timer.objects.filter(pk__in=breached).update(breached_at=F("due_at"), fire_at=None)
    TicketEvent.objects.bulk_create(events)
    Job.objects.bulk_create(jobs, ignore_conflicts=True)
    tickets = Ticket.objects.filter(pk__in={t.ticket_id for t in timers}).only(
        "pk", "team_id", "assignee_id"
    )
    stages = {t.ticket_id: ("breach" if t.breached_at else "warning", t.kind) for t in timers}
    for ticket in tickets:
        stage, target = stages[ticket.pk]
        publish_on_commit(
            access.realtime_groups(ticket),
            {"type": "sla.alert", "ticket": ticket.pk, "stage": stage, "target": target},
        )


def _climb(timer: Timer, now: datetime) -> None:
    """The level's time limit passed: the ticket goes one level up the ladder."""
    from sigap.sla.services import sla_level_expired

    # The level's clock ends here whether or not there is a level above to climb to.
    Timer.objects.filter(pk=timer.pk).update(
        fire_at=None, breached_at=timer.due_at, state=TimerState.STOPPED, stopped_at=now
    )
    sla_level_expired(timer=timer, at=now)
