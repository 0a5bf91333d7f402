"""Ticket endpoints: the inbox, logging calls and visits, changes, timeline, replies and notes.

Each one finds the ticket through sigap.tickets.access (another team's ticket is a 404, as if
it did not exist) and then calls the same services as the web pages.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import P, Query, QueryEx, Router
from ninja.responses import Status as Respond

from sigap.accounts.models import Team, User
from sigap.api.auth import caller
from sigap.api.errors import fields_renamed, problems
from sigap.api.present import event_out, message_out, ticket_detail, ticket_summary
from sigap.api.schemas.common import PathId, Text
from sigap.api.schemas.tickets import (
    InboxFilters,
    MessageOut,
    NoteIn,
    ReplyIn,
    TicketChange,
    TicketCreate,
    TicketDetail,
    TicketPage,
    TimelinePage,
)
from sigap.core.errors import InvalidInput, NotFound
from sigap.customers.models import Customer, IdentityKind
from sigap.customers.selectors import customer_survivor
from sigap.customers.services import IdentityInput, customer_for_contact
from sigap.tickets import access
from sigap.tickets.models import Category, Channel, Ticket
from sigap.tickets.selectors import inbox_page, inbox_query_parse, ticket_timeline_page
from sigap.tickets.services import (
    ticket_add_note,
    ticket_assign,
    ticket_change_category,
    ticket_change_priority,
    ticket_change_status,
    ticket_change_subject,
    ticket_change_team,
    ticket_log_contact,
    ticket_reply,
)

router = Router(tags=["tickets"])

# The services name what they change; the API names the id the client sent.
_FIELD_NAMES = {"team": "team_id", "assignee": "assignee_id", "category": "category_id"}
TIMELINE_PAGE_SIZE = 50
TIMELINE_MAX_PAGE_SIZE = 200

M = TypeVar("M", bound=Model)


def _by_id(model: type[M], pk: int | None, field: str) -> M | None:
    """The row a body field points at; an unknown id is the client's mistake, so a 400."""
    if pk is None:
        return None
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise InvalidInput(
            _("There is no %(thing)s with id %(pk)s.")
            % {"thing": model._meta.verbose_name, "pk": pk},
            field=field,
        )
    return found


@router.get("/tickets", response={200: TicketPage, **problems(400)}, summary="The inbox")
def inbox(request: HttpRequest, filters: Query[InboxFilters]) -> TicketPage:
    """The tickets the caller may see, most recently changed first, a key-set page at a time."""
    user = caller(request)
    params = {name: value for name, value in filters.model_dump().items() if value is not None}
    page = inbox_page(user, inbox_query_parse(params))
    return TicketPage(
        items=[ticket_summary(ticket) for ticket in page.items], next_cursor=page.next_cursor
    )


def _contact_customer(by: User, payload: TicketCreate) -> Customer:
    if payload.customer_id is not None and payload.customer is not None:
        raise InvalidInput(_("Give customer_id or customer, not both."), field="customer")
    if payload.customer_id is not None:
        try:
            return customer_survivor(by=by, pk=payload.customer_id)
        except NotFound as error:
            raise InvalidInput(error.message, field="customer_id") from None
    contact = payload.customer
    if contact is None:
        raise InvalidInput(_("Say who the customer is: customer_id or customer."), field="customer")
    addresses = {
        name: IdentityInput(kind, value)
        for name, kind, value in (
            ("email", IdentityKind.EMAIL, contact.email),
            ("phone", IdentityKind.PHONE, contact.phone),
        )
        if value
    }
    with fields_renamed({"email": "customer.email", "phone": "customer.phone"}):
        return customer_for_contact(by=by, name=contact.name, addresses=addresses)


@router.post(
    "/tickets",
    response={201: TicketDetail, **problems(400, 403, 409)},
    summary="Log a phone call or walk-in visit",
)
def ticket_create(request: HttpRequest, payload: TicketCreate) -> Respond[TicketDetail]:
    """Records the contact as a ticket assigned to the caller, finding or creating the customer.

    Nothing is saved when any part is refused.
    """
    user = caller(request)
    with transaction.atomic():
        customer = _contact_customer(user, payload)
        with fields_renamed(_FIELD_NAMES):
            ticket = ticket_log_contact(
                by=user,
                customer=customer,
                channel=Channel(payload.channel),
                subject=payload.subject,
                summary=payload.summary,
                team=_by_id(Team, payload.team_id, "team_id"),
                priority=payload.priority,
                category=_by_id(Category, payload.category_id, "category_id"),
                resolved_on_the_spot=payload.resolved_on_the_spot,
            )
    return Respond(201, ticket_detail(access.ticket_for(user, ticket.pk)))


@router.get(
    "/tickets/{ticket_id}", response={200: TicketDetail, **problems(400, 404)}, summary="A ticket"
)
def ticket_get(request: HttpRequest, ticket_id: PathId) -> TicketDetail:
    return ticket_detail(access.ticket_for(caller(request), ticket_id))


def _apply_changes(user: User, ticket: Ticket, payload: TicketChange) -> None:
    present = payload.model_fields_set
    payload.refuse_null("status", "priority", "subject")
    # Team before assignee: whether an assignee fits depends on the ticket's team.
    if payload.subject is not None:
        ticket_change_subject(ticket=ticket, by=user, subject=payload.subject)
    if payload.priority is not None:
        ticket_change_priority(ticket=ticket, by=user, priority=payload.priority)
    if "category_id" in present:
        category = _by_id(Category, payload.category_id, "category_id")
        ticket_change_category(ticket=ticket, by=user, category=category)
    if payload.status is not None:
        ticket_change_status(ticket=ticket, by=user, status=payload.status)
    if "team_id" in present:
        ticket_change_team(ticket=ticket, by=user, team=_by_id(Team, payload.team_id, "team_id"))
    if "assignee_id" in present:
        assignee = _by_id(User, payload.assignee_id, "assignee_id")
        ticket_assign(ticket=ticket, by=user, assignee=assignee)


@router.patch(
    "/tickets/{ticket_id}",
    response={200: TicketDetail, **problems(400, 403, 404, 409)},
    summary="Change a ticket",
)
def ticket_change(request: HttpRequest, ticket_id: PathId, payload: TicketChange) -> TicketDetail:
    """Changes only the fields present in the body; an explicit null clears team, assignee or
    category. Applied in the order subject, priority, category, status, team, assignee, all or
    nothing: if one change is refused, none is saved and no event is written.
    """
    user = caller(request)
    ticket = access.ticket_for(user, ticket_id)
    with transaction.atomic(), fields_renamed(_FIELD_NAMES):
        _apply_changes(user, ticket, payload)
    # Re-read: the services changed the row, and the relations cached on it are stale.
    ticket.refresh_from_db()
    return ticket_detail(ticket)


@router.get(
    "/tickets/{ticket_id}/timeline",
    response={200: TimelinePage, **problems(400, 404)},
    summary="A ticket's timeline",
)
def ticket_timeline(
    request: HttpRequest,
    ticket_id: PathId,
    cursor: Text | None = None,
    size: QueryEx[int, P(ge=1, le=TIMELINE_MAX_PAGE_SIZE)] = TIMELINE_PAGE_SIZE,
) -> TimelinePage:
    """Everything that happened to the ticket, oldest first, with the message of each event
    that has one. Paged by key-set on (created_at, id): follow next_cursor until it is null.
    """
    ticket = access.ticket_for(caller(request), ticket_id)
    page = ticket_timeline_page(ticket, cursor=cursor, size=size)
    return TimelinePage(
        items=[event_out(event) for event in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/tickets/{ticket_id}/replies",
    response={201: MessageOut, **problems(400, 403, 404, 409)},
    summary="Reply to the customer",
)
def ticket_reply_create(
    request: HttpRequest, ticket_id: PathId, payload: ReplyIn
) -> Respond[MessageOut]:
    """Sent on the ticket's channel after the change is saved (delivery_status "queued");
    on a phone or walk-in ticket it is recorded as said in person.
    """
    user = caller(request)
    ticket = access.ticket_for(user, ticket_id)
    message = ticket_reply(ticket=ticket, by=user, body=payload.body, status=payload.status)
    return Respond(201, message_out(message))


@router.post(
    "/tickets/{ticket_id}/notes",
    response={201: MessageOut, **problems(400, 403, 404)},
    summary="Add an internal note",
)
def ticket_note_create(
    request: HttpRequest, ticket_id: PathId, payload: NoteIn
) -> Respond[MessageOut]:
    """Seen by staff only; never sent to the customer."""
    user = caller(request)
    ticket = access.ticket_for(user, ticket_id)
    message = ticket_add_note(ticket=ticket, by=user, body=payload.body)
    return Respond(201, message_out(message))
