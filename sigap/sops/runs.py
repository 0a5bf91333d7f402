"""A run's stored state: starting it on a ticket, keeping each step's status, deadline and next
alert as the engine says, and the steps that end by themselves (evidence received, a wait over).

Deadlines count the ticket team's business calendar for steps in business time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from sigap.accounts.models import User
from sigap.core import clock
from sigap.core.rows import insert_one, insert_values, select_by_pk, select_where
from sigap.sla.configuration import calendar_for_team
from sigap.sops.document import SopDocument
from sigap.sops.engine import (
    CALENDAR_TIME,
    BusinessHours,
    Calendar,
    Facts,
    RunView,
    StepRecord,
    StepView,
    evaluate,
)
from sigap.sops.loading import parse_document
from sigap.sops.models import Sop, SopRun, SopVersion, StepState, StepStatus
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import Attachment, Direction, Message, Ticket

# Published versions never change, so their parsed documents are kept for the process's life.
# Keyed by more than the id: SQLite may hand a rolled-back row's id to a new row.
_published_documents: dict[tuple[int, int, datetime], SopDocument] = {}


def version_document(version: SopVersion) -> SopDocument:
    """The parsed document of a version; a published one is parsed once per process."""
    if version.published_at is None:
        return parse_document(version.document)
    key = (version.pk, version.sop_id, version.published_at)
    document = _published_documents.get(key)
    if document is None:
        document = _published_documents[key] = parse_document(version.document)
    return document


def business_hours(document: SopDocument, ticket: Ticket) -> Calendar:
    """The ticket team's opening hours when a step counts business time (around the clock for
    a team without a calendar); the team calendar is not even looked up otherwise."""
    if any(s.deadline is not None and s.deadline.business_time for s in document.steps):
        return BusinessHours(calendar_for_team(ticket.team_id))
    return CALENDAR_TIME


def alert_time(
    view: StepView,
    *,
    is_resolved: bool,
    warned_at: datetime | None = None,
    overdue_at: datetime | None = None,
) -> datetime | None:
    """When the executor must next look at a step: its warning, then its deadline (a wait step
    ends at its deadline). A resolved ticket's steps that belong before resolution are moot."""
    if view.status != "open" or view.deadline is None:
        return None
    if is_resolved and not view.is_after_resolution:
        return None
    if view.step.kind == "wait":
        return view.deadline
    if overdue_at is not None:
        return None
    if warned_at is None and view.warn_at is not None:
        return view.warn_at
    return view.deadline


def run_start(
    *, ticket: Ticket, version: SopVersion, by: User | None, matched: dict[str, Any]
) -> SopRun:
    """Put the ticket under `version`: the run, each step's status, deadline and next alert as
    the engine has them at the start, and the timeline event saying why this SOP."""
    now = clock.now()
    run = insert_one(SopRun(ticket=ticket, version=version, started_at=now, matched=matched))
    document = version_document(version)
    view = evaluate(
        document,
        Facts(started_at=now, resolved_at=ticket.resolved_at),
        now,
        business_hours(document, ticket),
    )
    blocking = {v.step.id for v in view.blocking_resolution}
    is_resolved = ticket.resolved_at is not None
    _steps_insert(
        [
            (
                run.pk,
                step_view.step.id,
                i,
                step_view.status,
                step_view.deadline,
                step_view.step.id in blocking,
                alert_time(step_view, is_resolved=is_resolved),
            )
            for i, step_view in enumerate(view.steps)
        ]
    )
    event_record(
        ticket=ticket,
        kind=EventKind.SOP_STARTED,
        at=now,
        by=by,
        data={
            "sop": version.sop.key,
            "version": version.number,
            "title": document.title.model_dump(),
            **matched,
        },
    )
    return run


_STEP_COLUMNS = (
    "run",
    "step_id",
    "position",
    "status",
    "deadline_at",
    "blocks_resolution",
    "alert_at",
    "reason",
    "outcome",
    "approval_note",
)
_StepRow = tuple[int, str, int, str, datetime | None, bool, datetime | None]


def _steps_insert(rows: list[_StepRow]) -> None:
    """Write a new run's step rows in one statement, naming only the columns a new step has:
    every new ticket does this, and a model per step cost more CPU than the statement."""
    insert_values(StepState, _STEP_COLUMNS, [(*row, "", "", "") for row in rows])


def _run_view(run: SopRun, ticket: Ticket, states: list[StepState], now: datetime) -> RunView:
    document = version_document(run.version)
    records = {
        s.step_id: StepRecord(
            completed_at=s.completed_at, waived_at=s.waived_at, outcome=s.outcome or None
        )
        for s in states
        if s.completed_at or s.waived_at
    }
    facts = Facts(started_at=run.started_at, resolved_at=ticket.resolved_at, steps=records)
    return evaluate(document, facts, now, business_hours(document, ticket))


def sop_run_refresh(*, run: SopRun, ticket: Ticket) -> None:
    """Store the engine's view of the run: each step's status, deadline, next alert and whether
    it holds up resolving. Called after anything that can change it.

    Evidence the customer sent before its step opened completes that step as soon as it opens.
    """
    now = clock.now()
    states = select_where(StepState, '"run_id" = %s', [run.pk], order_by='"position", "id"')
    view = _run_view(run, ticket, states, now)
    for _round in states:
        early = [
            s
            for s in states
            if s.evidence_id is not None
            and s.completed_at is None
            and s.waived_at is None
            and view.get(s.step_id).status == "open"
        ]
        if not early:
            break
        for state in early:
            _evidence_complete(run=run, state=state, ticket=ticket, at=now)
        view = _run_view(run, ticket, states, now)
    blocking = {v.step.id for v in view.blocking_resolution}
    is_resolved = ticket.resolved_at is not None
    for state in states:
        step_view = view.get(state.step_id)
        # An ended step's deadline is history (was it late?): a calendar or team changed
        # since must not move it.
        has_ended = state.completed_at is not None or state.waived_at is not None
        fresh = (
            step_view.status,
            state.deadline_at if has_ended else step_view.deadline,
            state.step_id in blocking,
            alert_time(
                step_view,
                is_resolved=is_resolved,
                warned_at=state.warned_at,
                overdue_at=state.overdue_at,
            ),
        )
        if (state.status, state.deadline_at, state.blocks_resolution, state.alert_at) != fresh:
            state.status, state.deadline_at, state.blocks_resolution, state.alert_at = fresh
            # Usually one or two rows change; plain updates beat a CASE-built bulk update.
            StepState.objects.filter(pk=state.pk).update(
                status=state.status,
                deadline_at=state.deadline_at,
                blocks_resolution=state.blocks_resolution,
                alert_at=state.alert_at,
            )


def current_run(ticket: Ticket) -> SopRun | None:
    """The ticket's run not yet ended, with its version and SOP loaded."""
    # Asked for every file a customer sends and every step an agent completes: three fixed
    # statements cost a fraction of the ORM's three-table join.
    found = select_where(SopRun, '"ticket_id" = %s AND "ended_at" IS NULL', [ticket.pk], limit=1)
    if not found:
        return None
    run = found[0]
    run.version = select_by_pk(SopVersion, run.version_id)
    run.version.sop = select_by_pk(Sop, run.version.sop_id)
    return run


def _evidence_complete(*, run: SopRun, state: StepState, ticket: Ticket, at: datetime) -> None:
    """The customer's file satisfies a request_evidence step: it is done, by the customer."""
    attachment = (
        Attachment.objects.select_related("message__author_customer")
        .filter(pk=state.evidence_id or 0)
        .first()
    )
    step = version_document(run.version).step(state.step_id)
    state.completed_at = at
    state.completed_by = None
    state.save(update_fields=["completed_at", "completed_by"])
    data: dict[str, Any] = {
        "sop": run.version.sop.key,
        "step": state.step_id,
        "title": step.title.model_dump(),
    }
    if attachment is not None:
        data |= {"evidence": attachment.filename, "attachment": attachment.pk}
    event_record(
        ticket=ticket,
        kind=EventKind.SOP_STEP_COMPLETED,
        at=at,
        customer=attachment.message.author_customer if attachment else None,
        message=attachment.message if attachment else None,
        data=data,
    )


def sop_evidence_received(
    *, ticket: Ticket, message: Message, files: Sequence[Attachment]
) -> StepState | None:
    """A customer's message brought `files`: the first request_evidence step not yet ended
    takes the first of them (a file attached rather than shown inline) as its evidence. An open
    step is done at once; a step still waiting for earlier ones keeps the file and is done as
    soon as it opens. Returns the step, if any."""
    if message.direction != Direction.INBOUND or not files:
        return None
    evidence = min(files, key=lambda file: (file.is_inline, file.pk))
    # Inside the caller's transaction (the message's own): no savepoint round trips, and a
    # failure here rolls back with the message, as no caller carries on after one.
    with transaction.atomic(savepoint=False):
        run = current_run(ticket)
        if run is None:
            return None
        wanted = [s.id for s in version_document(run.version).steps if s.kind == "request_evidence"]
        if not wanted:
            return None
        states = select_where(
            StepState,
            '"run_id" = %s AND "status" IN (%s, %s) AND "evidence_id" IS NULL',
            [run.pk, StepStatus.OPEN, StepStatus.BLOCKED],
            order_by='"position"',
            for_update=True,
        )
        # An open step before a blocked one: the customer answers what is being asked now.
        state = min(
            (s for s in states if s.step_id in wanted),
            key=lambda s: (s.status != StepStatus.OPEN, s.position),
            default=None,
        )
        if state is None:
            return None
        state.evidence = evidence
        StepState.objects.filter(pk=state.pk).update(evidence=evidence)
        sop_run_refresh(run=run, ticket=ticket)
    return state


def sop_wait_end(*, state: StepState, run: SopRun, ticket: Ticket, now: datetime) -> None:
    """A wait step's time has come: it ends by itself, as of its deadline, and the run moves on.

    Ending it at its deadline rather than when the executor noticed keeps the steps counted
    from it on time however late the executor ran."""
    step = version_document(run.version).step(state.step_id)
    state.completed_at = state.deadline_at or now
    state.completed_by = None
    state.alert_at = None
    state.save(update_fields=["completed_at", "completed_by", "alert_at"])
    event_record(
        ticket=ticket,
        kind=EventKind.SOP_STEP_COMPLETED,
        at=now,
        data={
            "sop": run.version.sop.key,
            "step": state.step_id,
            "title": step.title.model_dump(),
            "waited_until": state.completed_at.isoformat(),
        },
    )
    sop_run_refresh(run=run, ticket=ticket)
