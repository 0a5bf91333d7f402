"""Keeping the fact rows current: the executor folds each batch of new timeline events into
the facts of the tickets they touched.

Every change to a ticket writes a timeline event (DESIGN §3), so the events after the last one
read are exactly the tickets whose figures may have changed. A batch is read with a handful of
queries over all its tickets at once; only the arithmetic of one ticket's own history (its
pauses, contacts and replies in order) is done in Python, once per change, never when a KPI is
asked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction

from sigap.core import clock
from sigap.metrics.models import RefreshMark, StepIssue, StepIssueKind, TicketFact
from sigap.metrics.periods import local_date
from sigap.metrics.rollup import day_figures_rebuild, day_figures_refresh
from sigap.sla.calendar import business_seconds_between
from sigap.sla.configuration import calendar_for_team
from sigap.sla.models import Timer, TimerKind
from sigap.sops.models import SopException, SopRun, StepState, StepStatus
from sigap.tickets.events import EventKind
from sigap.tickets.models import Status, Ticket, TicketEvent

REOPEN_WINDOW = timedelta(days=7)
BATCH_EVENTS = 2000
_RESOLVED = {Status.RESOLVED.value, Status.CLOSED.value}
_CONTACT_KINDS = {EventKind.TICKET_CREATED.value, EventKind.MESSAGE_RECEIVED.value}
_TIMELINE_KINDS = [*_CONTACT_KINDS, EventKind.REPLY_SENT.value, EventKind.STATUS_CHANGED.value]
_SLA_KINDS = [TimerKind.FIRST_RESPONSE, TimerKind.NEXT_RESPONSE, TimerKind.RESOLUTION]
_MARK = "timeline"


@dataclass
class _History:
    """What one ticket's timeline says, walked in order."""

    first_resolved_at: datetime | None = None
    contacts_before_resolution: int = 0
    reopen_count: int = 0
    is_reopened_within_7_days: bool = False
    pauses: list[tuple[datetime, datetime]] = field(default_factory=list)
    response_seconds: list[float] = field(default_factory=list)


def _walk(events: list[dict[str, Any]], now: datetime) -> _History:
    history = _History()
    waiting_since: datetime | None = None  # the first customer message not answered yet
    paused_at: datetime | None = None
    last_was_customer = False
    for event in events:
        kind, at, data = event["kind"], event["created_at"], event["data"] or {}
        if kind in _CONTACT_KINDS:
            # A customer writing twice before anyone answers is still one contact.
            if not last_was_customer and history.first_resolved_at is None:
                history.contacts_before_resolution += 1
            last_was_customer = True
            waiting_since = waiting_since or at
        elif kind == EventKind.REPLY_SENT:
            if waiting_since is not None:
                history.response_seconds.append(max((at - waiting_since).total_seconds(), 0.0))
            waiting_since = None
            last_was_customer = False
        elif kind == EventKind.STATUS_CHANGED:
            before, after = data.get("from"), data.get("to")
            if after == Status.PENDING_CUSTOMER and paused_at is None:
                paused_at = at
            elif before == Status.PENDING_CUSTOMER and paused_at is not None:
                history.pauses.append((paused_at, at))
                paused_at = None
            if after in _RESOLVED and history.first_resolved_at is None:
                history.first_resolved_at = at
            if before in _RESOLVED and after not in _RESOLVED:
                history.reopen_count += 1
                first = history.first_resolved_at
                if first is not None and at - first <= REOPEN_WINDOW:
                    history.is_reopened_within_7_days = True
    if paused_at is not None:
        history.pauses.append((paused_at, now))
    return history


def _resolution_times(
    ticket: dict[str, Any], history: _History
) -> tuple[float | None, float | None]:
    """Calendar and business seconds from opening to the first resolution, less the time spent
    waiting on the customer."""
    resolved = history.first_resolved_at
    if resolved is None:
        return None, None
    opened = ticket["created_at"]
    calendar = calendar_for_team(ticket["team_id"])
    pauses = [(max(a, opened), min(b, resolved)) for a, b in history.pauses if a < resolved]
    wall = (resolved - opened).total_seconds() - sum((b - a).total_seconds() for a, b in pauses)
    business = business_seconds_between(calendar, opened, resolved) - sum(
        business_seconds_between(calendar, a, b) for a, b in pauses
    )
    return max(wall, 0.0), max(business, 0.0)


def _by_ticket(rows: Iterable[Any], key: str = "ticket_id") -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


def facts_refresh(ticket_ids: Iterable[int], *, with_days: bool = True) -> int:
    """Recompute the facts of these tickets from their timelines, and the day figures of the
    days they were opened or resolved on, before and after. Returns how many tickets."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return 0
    now = clock.now()
    tickets: list[Any] = list(
        Ticket.objects.filter(pk__in=ids).values(
            "id",
            "channel",
            "team_id",
            "assignee_id",
            "customer_id",
            "status",
            "created_at",
            "first_response_at",
            "resolved_at",
        )
    )
    events = _by_ticket(
        TicketEvent.objects.filter(ticket_id__in=ids, kind__in=_TIMELINE_KINDS)
        .order_by("ticket_id", "created_at", "id")
        .values("ticket_id", "kind", "created_at", "data")
    )
    runs: dict[int, tuple[int, int]] = {}
    for run in (
        SopRun.objects.filter(ticket_id__in=ids)
        .order_by("ticket_id", "started_at", "id")
        .values("ticket_id", "version_id", "version__sop_id")
    ):
        # The latest run wins: the SOP the ticket was finally handled under.
        runs[run["ticket_id"]] = (run["version__sop_id"], run["version_id"])
    timers = _by_ticket(
        Timer.objects.filter(ticket_id__in=ids, kind__in=_SLA_KINDS).values(
            "ticket_id", "met_at", "breached_at"
        )
    )
    steps = _by_ticket(
        StepState.objects.filter(
            run__ticket_id__in=ids,
            status__in=[StepStatus.DONE, StepStatus.WAIVED],
            deadline_at__isnull=False,
        ).values(
            "run__ticket_id", "run__version_id", "step_id", "status", "completed_at", "deadline_at"
        ),
        key="run__ticket_id",
    )
    exceptions = _by_ticket(
        SopException.objects.filter(ticket_id__in=ids).values(
            "ticket_id", "version_id", "step_id", "kind"
        )
    )
    facts: list[TicketFact] = []
    issues: list[StepIssue] = []
    for ticket in tickets:
        fact = _fact(ticket, events.get(ticket["id"], []), runs.get(ticket["id"]), now)
        _add_sla(fact, timers.get(ticket["id"], []))
        issues += _add_steps(
            fact, steps.get(ticket["id"], []), exceptions.get(ticket["id"], []), runs
        )
        facts.append(fact)
    others = _add_previous_contacts(facts)
    with transaction.atomic():
        TicketFact.objects.bulk_update(others, ["previous_contact_on"])
        before = TicketFact.objects.filter(pk__in=ids).values_list(
            "opened_on", "first_resolved_on", "closed_on"
        )
        days = {day for pair in before for day in pair if day is not None}
        TicketFact.objects.filter(pk__in=ids).delete()
        StepIssue.objects.filter(ticket_id__in=ids).delete()
        TicketFact.objects.bulk_create(facts)
        StepIssue.objects.bulk_create(issues)
        if with_days:
            days |= {f.opened_on for f in facts}
            days |= {f.first_resolved_on for f in facts if f.first_resolved_on is not None}
            days |= {f.closed_on for f in facts if f.closed_on is not None}
            day_figures_refresh(days)
    return len(facts)


def _fact(
    ticket: dict[str, Any], events: list[dict[str, Any]], run: tuple[int, int] | None, now: datetime
) -> TicketFact:
    history = _walk(events, now)
    if history.first_resolved_at is None and ticket["resolved_at"] is not None:
        history.first_resolved_at = ticket["resolved_at"]
    wall, business = _resolution_times(ticket, history)
    opened = ticket["created_at"]
    first_response = ticket["first_response_at"]
    is_resolved_now = ticket["status"] in _RESOLVED and ticket["resolved_at"] is not None
    return TicketFact(
        ticket_id=ticket["id"],
        channel=ticket["channel"],
        team_id=ticket["team_id"],
        agent_id=ticket["assignee_id"],
        customer_id=ticket["customer_id"],
        sop_id=run[0] if run else None,
        sop_version_id=run[1] if run else None,
        opened_at=opened,
        opened_on=local_date(opened),
        first_response_seconds=(
            max((first_response - opened).total_seconds(), 0.0) if first_response else None
        ),
        response_count=len(history.response_seconds),
        response_seconds=sum(history.response_seconds),
        first_resolved_at=history.first_resolved_at,
        first_resolved_on=local_date(history.first_resolved_at)
        if history.first_resolved_at
        else None,
        closed_on=local_date(ticket["resolved_at"]) if is_resolved_now else None,
        resolution_seconds=wall,
        resolution_business_seconds=business,
        contacts_before_resolution=history.contacts_before_resolution,
        reopen_count=history.reopen_count,
        is_reopened_within_7_days=history.is_reopened_within_7_days,
        is_first_contact_resolution=(
            history.first_resolved_at is not None
            and history.contacts_before_resolution <= 1
            and not history.is_reopened_within_7_days
        ),
        refreshed_at=now,
    )


def _add_previous_contacts(facts: list[TicketFact]) -> list[TicketFact]:
    """Set each fact's customer's latest earlier ticket. Returns the kept facts of the same
    customers whose previous contact this batch changed (a merge of two customers, a ticket
    logged late), to be saved with it."""
    ids = {fact.ticket_id for fact in facts}
    history: dict[int, list[tuple[datetime, int, date]]] = defaultdict(list)
    kept: dict[int, date | None] = {}
    for customer_id, opened_at, ticket_id, opened_on, stored in (
        TicketFact.objects.filter(customer_id__in={fact.customer_id for fact in facts})
        .exclude(pk__in=ids)
        .values_list("customer_id", "opened_at", "ticket_id", "opened_on", "previous_contact_on")
    ):
        history[customer_id].append((opened_at, ticket_id, opened_on))
        kept[ticket_id] = stored
    for fact in facts:
        history[fact.customer_id].append((fact.opened_at, fact.ticket_id, fact.opened_on))
    batch = {fact.ticket_id: fact for fact in facts}
    changed: list[TicketFact] = []
    for contacts in history.values():
        contacts.sort()
        previous: date | None = None
        for _opened_at, ticket_id, opened_on in contacts:
            if ticket_id in batch:
                batch[ticket_id].previous_contact_on = previous
            elif kept[ticket_id] != previous:
                changed.append(TicketFact(ticket_id=ticket_id, previous_contact_on=previous))
            previous = opened_on
    return changed


def _add_sla(fact: TicketFact, timers: list[dict[str, Any]]) -> None:
    fact.sla_breached = sum(1 for t in timers if t["breached_at"] is not None)
    fact.sla_met = sum(1 for t in timers if t["met_at"] is not None and t["breached_at"] is None)


def _add_steps(
    fact: TicketFact,
    steps: list[dict[str, Any]],
    exceptions: list[dict[str, Any]],
    runs: dict[int, tuple[int, int]],
) -> list[StepIssue]:
    issues: list[StepIssue] = []

    def issue(kind: StepIssueKind, version_id: int, step_id: str) -> None:
        issues.append(
            StepIssue(
                ticket_id=fact.ticket_id,
                kind=kind,
                sop_version_id=version_id,
                step_id=step_id,
                channel=fact.channel,
                team_id=fact.team_id,
                agent_id=fact.agent_id,
                sop_id=fact.sop_id,
                opened_on=fact.opened_on,
            )
        )

    for step in steps:
        fact.steps_due += 1
        if step["status"] == StepStatus.DONE:
            if step["completed_at"] is not None and step["completed_at"] <= step["deadline_at"]:
                fact.steps_on_time += 1
            else:
                issue(StepIssueKind.LATE, step["run__version_id"], step["step_id"])
    for exception in exceptions:
        fact.exceptions += 1
        kind = (
            StepIssueKind.WAIVED if exception["kind"] == "waived" else StepIssueKind.SPECIAL_POLICY
        )
        issue(kind, exception["version_id"], exception["step_id"])
    return issues


def facts_catch_up(*, limit: int = BATCH_EVENTS) -> int:
    """Fold the next batch of timeline events into the facts. Returns the tickets refreshed,
    0 when the facts are current."""
    with transaction.atomic():
        mark, _created = RefreshMark.objects.select_for_update().get_or_create(
            name=_MARK, defaults={"updated_at": clock.now()}
        )
        rows = list(
            TicketEvent.objects.filter(id__gt=mark.last_event_id)
            .order_by("id")
            .values_list("id", "ticket_id")[:limit]
        )
        if not rows:
            return 0
        refreshed = facts_refresh(ticket_id for _id, ticket_id in rows)
        mark.last_event_id = rows[-1][0]
        mark.updated_at = clock.now()
        mark.save(update_fields=["last_event_id", "updated_at"])
    return max(refreshed, 1)


def facts_rebuild(*, batch: int = 1000) -> int:
    """Recompute every ticket's facts (after an upgrade, or to check the rollups)."""
    done = 0
    last = 0
    while True:
        ids = list(
            Ticket.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        done += facts_refresh(ids, with_days=False)
        last = ids[-1]
    day_figures_rebuild()
    latest = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    RefreshMark.objects.update_or_create(
        name=_MARK, defaults={"last_event_id": latest, "updated_at": clock.now()}
    )
    return done
