"""Reads: a ticket's deadlines and escalations, inbox badges, and the unanswered list."""

from __future__ import annotations

from dataclasses import dataclass

from sigap.accounts.models import User
from sigap.core import clock
from sigap.core.cursor import Page, paginate_asc
from sigap.sla.configuration import policy_for_team
from sigap.sla.models import LIVE_STATES, RESPONSE_KINDS, Escalation, Timer, TimerState
from sigap.tickets import access
from sigap.tickets.models import Ticket


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    role: str


@dataclass(frozen=True)
class TicketSla:
    timers: list[Timer]
    escalations: list[Escalation]
    level: Level | None
    next_level: Level | None


def ticket_sla(ticket: Ticket) -> TicketSla:
    timers = list(Timer.objects.filter(ticket_id=ticket.pk).order_by("started_at", "id"))
    escalations = list(
        Escalation.objects.filter(ticket_id=ticket.pk).select_related("by").order_by("at", "id")
    )
    ladder = policy_for_team(ticket.team_id).ladder
    if ladder is None:
        return TicketSla(timers, escalations, None, None)
    levels = [Level(i, spec.name, spec.role or "") for i, spec in enumerate(ladder.levels, 1)]
    # A ladder made shorter since the ticket climbed shows its top level.
    number = min(escalations[-1].level if escalations else 1, len(levels))
    upper = levels[number] if number < len(levels) else None
    return TicketSla(timers, escalations, levels[number - 1], upper)


def inbox_badges(ticket_ids: list[int]) -> dict[int, str]:
    """Per ticket on a page: "breached", "warning" or nothing; one query for the page."""
    badges: dict[int, str] = {}
    rows = Timer.objects.filter(
        ticket_id__in=ticket_ids, state__in=LIVE_STATES, kind__in=[*RESPONSE_KINDS, "resolution"]
    ).values_list("ticket_id", "breached_at", "warned_at")
    for ticket_id, breached_at, warned_at in rows:
        if breached_at is not None:
            badges[ticket_id] = "breached"
        elif warned_at is not None and badges.get(ticket_id) != "breached":
            badges[ticket_id] = "warning"
    return badges


@dataclass(frozen=True)
class Waiting:
    timer: Timer
    ticket: Ticket

    @property
    def is_breached(self) -> bool:
        return self.timer.due_at is not None and self.timer.due_at <= clock.now()


def unanswered(*, user: User, cursor: str | None = None, size: int = 50) -> Page[Waiting]:
    """Conversations waiting for our answer that `user` may see, most urgent first."""
    timers = Timer.objects.filter(state=TimerState.RUNNING, kind__in=RESPONSE_KINDS)
    if not access.may_view_tickets(user):
        timers = timers.none()
    elif not access.has_wide_access(user):
        visible = access.visible_tickets(user).values("pk")
        timers = timers.filter(ticket_id__in=visible)
    page = paginate_asc(
        timers.select_related("ticket", "ticket__customer", "ticket__assignee", "ticket__team"),
        field="due_at",
        cursor=cursor,
        size=size,
    )
    return Page(
        items=[Waiting(timer=t, ticket=t.ticket) for t in page.items],
        next_cursor=page.next_cursor,
    )
