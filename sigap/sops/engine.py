"""The SOP engine: pure Python, no database, no clock of its own.

Given an SOP document, what has happened on a ticket (the facts) and the time, it says which
steps are open, when each is due, which one comes next, and what still stands in the way of
resolving the ticket. The same inputs always give the same answer, so runs can be replayed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

from sigap.sla.calendar import BusinessCalendar, add_business_time
from sigap.sops.document import SopDocument, Step

StepStatus = Literal["blocked", "open", "done", "waived", "skipped"]
FINISHED: frozenset[str] = frozenset({"done", "waived", "skipped"})


# A step is warned about once this share of its time has gone (the SLA default, 80%).
WARN_FRACTION = 0.8


class Calendar(Protocol):
    def add(self, start: datetime, duration: timedelta) -> datetime: ...


class CalendarTime:
    """Round-the-clock time; business-hours calendars plug in with the same method."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration


CALENDAR_TIME = CalendarTime()


class BusinessHours:
    """A desk's opening hours: only open time counts towards a step's deadline."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return add_business_time(self.calendar, start, duration.total_seconds())


@dataclass(frozen=True)
class StepRecord:
    """What was recorded for one step of a run."""

    completed_at: datetime | None = None
    waived_at: datetime | None = None
    # The option chosen (decision) or "approved"/"rejected" (approval).
    outcome: str | None = None

    @property
    def ended_at(self) -> datetime | None:
        return self.completed_at or self.waived_at


@dataclass(frozen=True)
class Facts:
    started_at: datetime
    resolved_at: datetime | None = None
    steps: Mapping[str, StepRecord] = field(default_factory=dict)


@dataclass(frozen=True)
class StepView:
    step: Step
    status: StepStatus
    deadline: datetime | None
    # When to warn that the deadline is near; None for a wait step, which nobody has to do.
    warn_at: datetime | None
    is_overdue: bool
    # Comes after resolution (a follow-up): it never holds up resolving the ticket.
    is_after_resolution: bool


@dataclass(frozen=True)
class RunView:
    steps: list[StepView]

    def get(self, step_id: str) -> StepView:
        for view in self.steps:
            if view.step.id == step_id:
                return view
        raise KeyError(step_id)

    @property
    def open_steps(self) -> list[StepView]:
        return [v for v in self.steps if v.status == "open"]

    @property
    def next_step(self) -> StepView | None:
        """The open step to do first: the earliest deadline, then document order."""
        candidates = [(i, v) for i, v in enumerate(self.steps) if v.status == "open"]
        if not candidates:
            return None

        def urgency(pair: tuple[int, StepView]) -> tuple[bool, float, int]:
            index, view = pair
            due = view.deadline.timestamp() if view.deadline else 0.0
            return (view.deadline is None, due, index)

        return min(candidates, key=urgency)[1]

    @property
    def blocking_resolution(self) -> list[StepView]:
        """Mandatory steps not yet done or waived that must end before the ticket is resolved."""
        return [
            v
            for v in self.steps
            if v.step.mandatory and v.status not in FINISHED and not v.is_after_resolution
        ]

    @property
    def is_complete(self) -> bool:
        return all(v.status in FINISHED for v in self.steps)


def evaluate(
    document: SopDocument,
    facts: Facts,
    now: datetime,
    business_hours: Calendar = CALENDAR_TIME,
) -> RunView:
    """The run as it stands at `now`. A step whose deadline is in business time counts only the
    open time of `business_hours` (the ticket's team calendar); every other step counts
    calendar time."""
    by_id = {step.id: step for step in document.steps}
    status: dict[str, StepStatus] = {}
    after_resolution: dict[str, bool] = {}

    def status_of(step_id: str) -> StepStatus:
        if step_id not in status:
            status[step_id] = _status(by_id[step_id], facts, status_of)
        return status[step_id]

    def is_after_resolution(step_id: str) -> bool:
        if step_id not in after_resolution:
            step = by_id[step_id]
            anchored = step.deadline is not None and step.deadline.from_ == "resolution"
            after_resolution[step_id] = anchored or any(
                is_after_resolution(needed) for needed in step.after
            )
        return after_resolution[step_id]

    views = []
    for step in document.steps:
        current = status_of(step.id)
        calendar = (
            business_hours if step.deadline is not None and step.deadline.business_time else None
        )
        deadline, warn_at = _deadline(step, facts, status_of, calendar or CALENDAR_TIME)
        views.append(
            StepView(
                step=step,
                status=current,
                deadline=deadline,
                warn_at=warn_at,
                is_overdue=current == "open" and deadline is not None and now > deadline,
                is_after_resolution=is_after_resolution(step.id),
            )
        )
    return RunView(steps=views)


def _status(step: Step, facts: Facts, status_of: _StatusOf) -> StepStatus:
    record = facts.steps.get(step.id)
    if record is not None and record.completed_at is not None:
        return "done"
    if record is not None and record.waived_at is not None:
        return "waived"
    if step.when is not None:
        decision_status = status_of(step.when.decision)
        if decision_status == "skipped":
            return "skipped"
        decided = facts.steps.get(step.when.decision)
        outcome = decided.outcome if decided else None
        if decision_status == "waived" and outcome is None:
            return "skipped"  # nobody chose, so no branch is taken
        if outcome is not None and outcome not in step.when.is_:
            return "skipped"
    before = [status_of(needed) for needed in step.after]
    if before and all(s == "skipped" for s in before):
        return "skipped"  # the whole branch leading here was not taken
    if any(s not in FINISHED for s in before):
        return "blocked"
    if step.when is not None:
        decided = facts.steps.get(step.when.decision)
        if decided is None or decided.outcome is None:
            return "blocked"
    return "open"


class _StatusOf(Protocol):
    def __call__(self, step_id: str) -> StepStatus: ...


def _deadline(
    step: Step, facts: Facts, status_of: _StatusOf, calendar: Calendar
) -> tuple[datetime | None, datetime | None]:
    """The step's deadline and the moment to warn that it is near."""
    if step.deadline is None:
        return None, None
    anchor: datetime | None
    if step.deadline.from_ == "start":
        anchor = facts.started_at
    elif step.deadline.from_ == "resolution":
        anchor = facts.resolved_at
    else:
        anchor_id = step.deadline.anchor_step
        assert anchor_id is not None
        record = facts.steps.get(anchor_id)
        anchor = record.ended_at if record else None
    if anchor is None:
        return None, None
    within = step.deadline.within
    deadline = calendar.add(anchor, within)
    if step.kind == "wait":
        return deadline, None
    return deadline, calendar.add(anchor, within * WARN_FRACTION)
