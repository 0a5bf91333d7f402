"""Rows turned into response bodies. Reads only what the selectors already fetched."""

from __future__ import annotations

from sigap.accounts.models import Team, User
from sigap.api.attachments import attachment_out
from sigap.api.schemas.common import Ref
from sigap.api.schemas.customers import CustomerOut, IdentityOut
from sigap.api.schemas.tickets import (
    Actor,
    CustomerBrief,
    EventOut,
    MessageOut,
    TicketDetail,
    TicketSummary,
)
from sigap.customers.models import Customer, CustomerIdentity, IdentityKind
from sigap.tickets.downloads import ticket_attachments
from sigap.tickets.events import EventKind
from sigap.tickets.models import (
    Category,
    Channel,
    DeliveryStatus,
    Direction,
    Message,
    Ticket,
    TicketEvent,
)


def user_ref(user: User | None) -> Ref | None:
    return Ref(id=user.pk, name=user.display_name) if user else None


def _team_ref(team: Team | None) -> Ref | None:
    return Ref(id=team.pk, name=team.name) if team else None


def _category_ref(category: Category | None) -> Ref | None:
    return Ref(id=category.pk, name=category.name) if category else None


def _summary_fields(ticket: Ticket) -> dict[str, object]:
    customer = ticket.customer
    return {
        "id": ticket.pk,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "customer": CustomerBrief(
            id=customer.pk,
            name=customer.display_name,
            is_vip=customer.is_vip,
            language=customer.language,
        ),
        "team": _team_ref(ticket.team),
        "assignee": user_ref(ticket.assignee),
        "category": _category_ref(ticket.category),
        "message_count": ticket.message_count,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }


def ticket_summary(ticket: Ticket) -> TicketSummary:
    return TicketSummary.model_validate(_summary_fields(ticket))


def ticket_detail(ticket: Ticket) -> TicketDetail:
    return TicketDetail.model_validate(
        {
            **_summary_fields(ticket),
            "language": ticket.language,
            "created_by": user_ref(ticket.created_by),
            "first_response_at": ticket.first_response_at,
            "last_customer_message_at": ticket.last_customer_message_at,
            "last_agent_message_at": ticket.last_agent_message_at,
            "resolved_at": ticket.resolved_at,
            "closed_at": ticket.closed_at,
            "attachments": [attachment_out(a) for a in ticket_attachments(ticket)],
        }
    )


def _actor(user: User | None, customer: Customer | None) -> Actor:
    if user is not None:
        return Actor(type="user", id=user.pk, name=user.display_name)
    if customer is not None:
        return Actor(type="customer", id=customer.pk, name=customer.display_name)
    return Actor(type="system", id=None, name=None)


def _message_author(message: Message) -> Actor:
    # A logged phone call is the customer's words, though an agent typed them.
    if message.direction == Direction.INBOUND and message.author_customer is not None:
        return _actor(None, message.author_customer)
    return _actor(message.author_user, message.author_customer)


def message_out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.pk,
        direction=Direction(message.direction),
        channel=Channel(message.channel),
        author=_message_author(message),
        body_text=message.body_text,
        # Sanitised before it was stored (sigap.core.html), so safe to show as it is.
        body_html=message.body_html,
        delivery_status=DeliveryStatus(message.delivery_status),
        created_at=message.created_at,
    )


def event_out(event: TicketEvent) -> EventOut:
    kind = event.kind
    label = EventKind(kind).label if kind in EventKind.values else kind
    return EventOut(
        id=event.pk,
        kind=kind,
        label=str(label),
        actor=_actor(event.actor_user, event.actor_customer),
        created_at=event.created_at,
        data=event.data,
        message=message_out(event.message) if event.message else None,
    )


def identity_out(identity: CustomerIdentity) -> IdentityOut:
    return IdentityOut(
        id=identity.pk,
        kind=IdentityKind(identity.kind),
        value=identity.value,
        network=identity.network,
        is_verified=identity.is_verified,
    )


def customer_out(customer: Customer) -> CustomerOut:
    # .all() so the identities and merges the selector prefetched are used, not queried again.
    identities = sorted(customer.identities.all(), key=lambda i: (i.kind, i.value))
    return CustomerOut(
        id=customer.pk,
        name=customer.name,
        language=customer.language,
        is_vip=customer.is_vip,
        notes=customer.notes,
        identities=[identity_out(identity) for identity in identities],
        merged_into=customer.merged_into_id,
        merged_from=sorted(merged.pk for merged in customer.merged_from.all()),
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )
