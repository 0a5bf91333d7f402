"""Tickets, their messages and their timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from sigap.api.schemas.attachments import AttachmentOut
from sigap.api.schemas.common import Id, Input, PageOf, Ref, Text
from sigap.tickets.models import Channel, DeliveryStatus, Direction, Priority, Status


class CustomerBrief(Schema):
    id: int
    name: str
    is_vip: bool
    language: str


class TicketSummary(Schema):
    """A row of the inbox."""

    id: int
    reference: str = Field(examples=["SGP-000042"])
    subject: str
    status: Status
    priority: Priority
    channel: Channel
    customer: CustomerBrief
    team: Ref | None
    assignee: Ref | None
    category: Ref | None
    message_count: int
    created_at: datetime
    updated_at: datetime


class TicketDetail(TicketSummary):
    language: str
    created_by: Ref | None
    first_response_at: datetime | None
    last_customer_message_at: datetime | None
    last_agent_message_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    attachments: list[AttachmentOut] = Field(description="Files the messages came with.")


class TicketPage(PageOf):
    items: list[TicketSummary]


class InboxFilters(Schema):
    """The web inbox's filters; values are checked by the same code as the inbox page."""

    view: Text | None = Field(None, description="mine, team, unassigned or all (default).")
    status: Text | None = Field(
        None, description="active (default), any, or one status such as pending_customer."
    )
    channel: Text | None = Field(None, description="email, chat, social, phone or walk_in.")
    priority: Text | None = Field(None, description="low, normal, high or urgent.")
    team: Text | None = Field(None, description="A team id.")
    assignee: Text | None = Field(None, description="A user id.")
    category: Text | None = Field(None, description="A category id.")
    q: Text | None = Field(
        None, description="A reference (SGP-000042), an email address, or words of the subject."
    )
    cursor: Text | None = Field(None, description="next_cursor of the previous page.")
    size: Text | None = Field(None, description="Tickets per page, 1 to 100 (default 25).")


class ContactCustomer(Input):
    """The caller or visitor: found by email or phone when we know them, else recorded new."""

    name: Annotated[Text, Field(max_length=200)] = ""
    email: Annotated[Text, Field(max_length=320)] | None = None
    phone: Annotated[Text, Field(max_length=40)] | None = None


class TicketCreate(Input):
    """A phone call or a walk-in visit, logged by the agent who took it."""

    customer_id: Id | None = Field(None, description="An existing customer; or give `customer`.")
    customer: ContactCustomer | None = None
    channel: Literal["phone", "walk_in"]
    subject: Annotated[Text, Field(max_length=255)]
    summary: Text = Field(description="What the customer said, in the agent's words.")
    team_id: Id | None = None
    priority: Priority = Priority.NORMAL
    category_id: Id | None = None
    resolved_on_the_spot: bool = False


class TicketChange(Input):
    """Only the fields present are changed; null clears team, assignee or category."""

    status: Status | None = None
    priority: Priority | None = None
    category_id: Id | None = None
    team_id: Id | None = None
    assignee_id: Id | None = None
    subject: Annotated[Text, Field(max_length=255)] | None = None


class ReplyIn(Input):
    body: Text
    status: Status | None = Field(None, description="Also set the ticket to this status.")


class NoteIn(Input):
    body: Text


class Actor(Schema):
    """Who did something: a desk user, the customer, or Sigap itself (type "system")."""

    type: Literal["user", "customer", "system"]
    id: int | None
    name: str | None


class MessageOut(Schema):
    id: int
    direction: Direction
    channel: Channel
    author: Actor
    body_text: str
    body_html: str | None = Field(description="Sanitised HTML, or null for plain text.")
    delivery_status: DeliveryStatus
    created_at: datetime


class EventOut(Schema):
    id: int
    kind: str = Field(examples=["status_changed"])
    label: str = Field(description="What happened, in the caller's language.")
    actor: Actor
    created_at: datetime
    data: dict[str, Any]
    message: MessageOut | None


class TimelinePage(PageOf):
    items: list[EventOut]
