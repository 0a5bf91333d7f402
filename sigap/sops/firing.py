"""The executor's side of SOP steps: warn before a deadline, say once when it was missed, and
end wait steps whose time has come.

Claim and act happen in one transaction: a worker killed mid-way rolls back and another takes
the same rows; two workers never take the same row (SKIP LOCKED on PostgreSQL; SQLite has one
writer). Due steps are found by one range scan over the partial index on alert_at."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import connection, transaction

from sigap.core import clock
from sigap.core.jobs import job_enqueue
from sigap.core.realtime import publish_on_commit
from sigap.sops.models import StepState, StepStatus
from sigap.sops.runs import sop_wait_end, version_document
from sigap.tickets import access
from sigap.tickets.events import EventKind, event_record

BATCH = 200
RETRY = timedelta(minutes=15)
logger = logging.getLogger(__name__)


def steps_claim_due(now: datetime, limit: int) -> list[StepState]:
    """Lock and return up to `limit` steps whose next alert is due, earliest first."""
    due = (
        StepState.objects.filter(alert_at__lte=now)
        .select_related("run__version__sop", "run__ticket")
        .order_by("alert_at", "id")
    )
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    return list(due[:limit])


def sop_fire_due(*, limit: int = BATCH, now: datetime | None = None) -> int:
    """Warn about, flag or end every step that is due. Returns how many steps were handled."""
    now = now or clock.now()
    with transaction.atomic():
        states = steps_claim_due(now, limit)
        for state in states:
            try:
                with transaction.atomic():
                    _fire(state, now)
            except Exception:
                # One step that cannot be handled must not hold up every step due after it.
                logger.exception("SOP step %s could not be handled; trying again later", state.pk)
                StepState.objects.filter(pk=state.pk).update(alert_at=now + RETRY)
    return len(states)


def _fire(state: StepState, now: datetime) -> None:
    run = state.run
    if run.ended_at is not None or state.status != StepStatus.OPEN:
        # Ended meanwhile by a path that did not clear the alert: nothing is to happen.
        StepState.objects.filter(pk=state.pk).update(alert_at=None)
        return
    ticket = run.ticket
    step = version_document(run.version).step(state.step_id)
    if step.kind == "wait":
        sop_wait_end(state=state, run=run, ticket=ticket, now=now)
        return
    assert state.deadline_at is not None
    if now < state.deadline_at:
        stage, kind = "warning", EventKind.SOP_STEP_WARNED
        state.warned_at, state.alert_at = now, state.deadline_at
    else:
        stage, kind = "overdue", EventKind.SOP_STEP_OVERDUE
        # Missed at its deadline, however late the executor noticed.
        state.overdue_at, state.alert_at = state.deadline_at, None
    StepState.objects.filter(pk=state.pk).update(
        warned_at=state.warned_at, overdue_at=state.overdue_at, alert_at=state.alert_at
    )
    event_record(
        ticket=ticket,
        kind=kind,
        at=now,
        data={
            "sop": run.version.sop.key,
            "step": state.step_id,
            "title": step.title.model_dump(),
            "due_at": state.deadline_at.isoformat(),
        },
    )
    job_enqueue(
        kind="sop_step_alert_email",
        payload={"step": state.pk, "stage": stage},
        due_at=now,
        idempotency_key=f"sop-step-alert:{state.pk}:{stage}",
    )
    publish_on_commit(
        access.realtime_groups(ticket),
        {"type": "sla.alert", "ticket": ticket.pk, "stage": f"step_{stage}", "target": step.id},
    )


def sop_fire_history(*, until: datetime) -> int:
    """Handle every step due up to `until` at the moment it fell due, as an executor that never
    stopped would have (for history loaded after the fact). Returns how many were handled."""
    handled = 0
    while True:
        first = StepState.objects.filter(alert_at__lte=until).order_by("alert_at").first()
        if first is None or first.alert_at is None:
            return handled
        with clock.frozen(first.alert_at):
            handled += sop_fire_due(now=first.alert_at, limit=10_000)
