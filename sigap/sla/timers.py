"""Starting, pausing, resuming and stopping a ticket's deadline timers.

Called by the ticket services inside their transaction, so a timer row is written together
with the change that caused it (DESIGN §4)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sigap.sla.calendar import BusinessCalendar, add_business_time, business_seconds_between
from sigap.sla.models import LIVE_STATES, Timer, TimerKind, TimerState


def _add(calendar: BusinessCalendar | None, start: datetime, seconds: float) -> datetime:
    if calendar is None:
        return start + timedelta(seconds=seconds)
    return add_business_time(calendar, start, seconds)


def _between(calendar: BusinessCalendar | None, start: datetime, end: datetime) -> float:
    if calendar is None:
        return max((end - start).total_seconds(), 0.0)
    return business_seconds_between(calendar, start, end)


def _schedule(timer: Timer, calendar: BusinessCalendar | None, at: datetime, left: float) -> None:
    """Set due, warning and next firing from `left` open seconds counted from `at`."""
    timer.due_at = _add(calendar, at, left)
    timer.warn_at = None
    timer.fire_at = timer.due_at
    if timer.kind != TimerKind.ESCALATION and timer.warned_at is None:
        warn_left = left - timer.target_seconds * (100 - timer.warn_percent) / 100
        if warn_left > 0:
            timer.warn_at = _add(calendar, at, warn_left)
            timer.fire_at = timer.warn_at
    if timer.breached_at is not None:
        timer.fire_at = None


def timer_new(
    *,
    ticket_id: int,
    kind: TimerKind,
    seconds: int,
    at: datetime,
    calendar: BusinessCalendar | None,
    warn_percent: int,
    level: int | None = None,
) -> Timer:
    """A running timer, not saved yet, so a new ticket's timers go in with one INSERT."""
    timer = Timer(
        ticket_id=ticket_id,
        kind=kind,
        state=TimerState.RUNNING,
        target_seconds=seconds,
        is_business_time=calendar is not None,
        warn_percent=warn_percent,
        level=level,
        started_at=at,
    )
    _schedule(timer, calendar, at, seconds)
    return timer


def timers_finish(
    *, ticket_id: int, kinds: tuple[str, ...], at: datetime, state: TimerState
) -> int:
    """Mark the live timers of these kinds met (the target was reached) or stopped."""
    stamp = "met_at" if state == TimerState.MET else "stopped_at"
    return Timer.objects.filter(ticket_id=ticket_id, kind__in=kinds, state__in=LIVE_STATES).update(
        state=state, fire_at=None, **{stamp: at}
    )


def _own(timer: Timer, calendar: BusinessCalendar) -> BusinessCalendar | None:
    """The team's calendar for a timer counted in business time, none for calendar time."""
    return calendar if timer.is_business_time else None


def timers_pause(*, ticket_id: int, at: datetime, calendar: BusinessCalendar) -> None:
    for timer in Timer.objects.filter(ticket_id=ticket_id, state=TimerState.RUNNING):
        assert timer.due_at is not None
        left = _between(_own(timer, calendar), at, timer.due_at) if timer.due_at > at else 0.0
        timer.remaining_seconds = left
        timer.state = TimerState.PAUSED
        timer.paused_at = at
        timer.pause_count += 1
        timer.fire_at = None
        timer.save(
            update_fields=["remaining_seconds", "state", "paused_at", "pause_count", "fire_at"]
        )


def timers_resume(*, ticket_id: int, at: datetime, calendar: BusinessCalendar) -> None:
    for timer in Timer.objects.filter(ticket_id=ticket_id, state=TimerState.PAUSED):
        assert timer.paused_at is not None
        timer.paused_seconds += max((at - timer.paused_at).total_seconds(), 0.0)
        timer.state = TimerState.RUNNING
        timer.paused_at = None
        if timer.breached_at is None:
            _schedule(timer, _own(timer, calendar), at, timer.remaining_seconds or 0.0)
        timer.remaining_seconds = None
        timer.save(
            update_fields=[
                "paused_seconds",
                "state",
                "paused_at",
                "due_at",
                "warn_at",
                "fire_at",
                "remaining_seconds",
            ]
        )
