"""Response-time endpoints: a ticket's deadlines and escalations, escalating, and the
conversations waiting for an answer."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import P, QueryEx, Router

from sigap.api.auth import caller
from sigap.api.errors import problems
from sigap.api.present import user_ref
from sigap.api.schemas.common import PathId, Ref, Text
from sigap.api.schemas.sla import (
    EscalateIn,
    EscalationOut,
    TicketSlaOut,
    TimerOut,
    WaitingOut,
    WaitingPage,
)
from sigap.sla.selectors import ticket_sla, unanswered
from sigap.sla.services import ticket_escalate
from sigap.tickets import access
from sigap.tickets.models import Ticket

router = Router(tags=["response times"])


def _sla_out(ticket: Ticket) -> TicketSlaOut:
    sla = ticket_sla(ticket)
    return TicketSlaOut(
        timers=[
            TimerOut(
                kind=t.kind,
                state=t.state,
                target_seconds=t.target_seconds,
                business_time=t.is_business_time,
                level=t.level,
                started_at=t.started_at,
                due_at=t.due_at if t.state != "paused" else None,
                warn_at=t.warn_at,
                warned_at=t.warned_at,
                breached_at=t.breached_at,
                met_at=t.met_at,
                paused_at=t.paused_at,
                paused_seconds=t.paused_seconds,
                pause_count=t.pause_count,
            )
            for t in sla.timers
        ],
        escalations=[
            EscalationOut(
                level=e.level,
                level_name=e.level_name,
                role=e.role,
                cause=e.cause,
                reason=e.reason,
                by=user_ref(e.by),
                at=e.at,
            )
            for e in sla.escalations
        ],
        level=sla.level.number if sla.level else None,
        level_name=sla.level.name if sla.level else None,
        next_level_name=sla.next_level.name if sla.next_level else None,
    )


@router.get(
    "/tickets/{ticket_id}/sla",
    response={200: TicketSlaOut, **problems(404)},
    summary="A ticket's targets, deadlines, pauses, breaches and escalations",
)
def ticket_sla_get(request: HttpRequest, ticket_id: PathId) -> TicketSlaOut:
    return _sla_out(access.ticket_for(caller(request), ticket_id))


@router.post(
    "/tickets/{ticket_id}/escalations",
    response={200: TicketSlaOut, **problems(400, 403, 404, 409)},
    summary="Escalate a ticket to the next level, with a reason",
)
def ticket_escalate_post(
    request: HttpRequest, ticket_id: PathId, payload: EscalateIn
) -> TicketSlaOut:
    user = caller(request)
    ticket = access.ticket_for(user, ticket_id)
    ticket_escalate(ticket=ticket, by=user, reason=payload.reason)
    return _sla_out(ticket)


@router.get(
    "/unanswered",
    response={200: WaitingPage, **problems(400)},
    summary="Conversations waiting for an answer, most urgent first",
)
def unanswered_list(
    request: HttpRequest,
    cursor: Text | None = None,
    size: QueryEx[int, P(ge=1, le=200)] = 50,
) -> WaitingPage:
    """Every customer message still waiting for our first or next answer, earliest deadline
    first. Paged by key-set on (due_at, id): follow next_cursor until it is null."""
    page = unanswered(user=caller(request), cursor=cursor, size=size)
    items = []
    for row in page.items:
        assert row.timer.due_at is not None
        items.append(
            WaitingOut(
                ticket=Ref(id=row.ticket.pk, name=row.ticket.reference),
                customer=Ref(id=row.ticket.customer.pk, name=row.ticket.customer.display_name),
                channel=row.ticket.channel,
                kind=row.timer.kind,
                waiting_since=row.timer.started_at,
                due_at=row.timer.due_at,
                breached=row.is_breached,
            )
        )
    return WaitingPage(items=items, next_cursor=page.next_cursor)
