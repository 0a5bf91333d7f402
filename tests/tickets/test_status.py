from __future__ import annotations

import pytest

from sigap.accounts.models import User
from sigap.core.errors import Conflict, InvalidInput
from sigap.tickets.models import Status, Ticket
from sigap.tickets.services import ticket_change_status, ticket_receive, ticket_reply


def test_resolving_stamps_the_time_and_writes_one_event(agent: User, ticket: Ticket) -> None:
    ticket_change_status(ticket=ticket, by=agent, status=Status.RESOLVED)

    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.resolved_at is not None
    event = ticket.events.get(kind="status_changed")
    assert event.data == {"from": "new", "to": "resolved"}
    assert event.actor_user == agent


def test_closed_is_final(agent: User, ticket: Ticket) -> None:
    ticket_change_status(ticket=ticket, by=agent, status=Status.CLOSED)

    with pytest.raises(Conflict, match="Closed cannot become Open"):
        ticket_change_status(ticket=ticket, by=agent, status=Status.OPEN)

    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.events.filter(kind="status_changed").count() == 1


def test_no_ticket_goes_back_to_new(agent: User, ticket: Ticket) -> None:
    ticket_change_status(ticket=ticket, by=agent, status=Status.OPEN)

    with pytest.raises(Conflict):
        ticket_change_status(ticket=ticket, by=agent, status=Status.NEW)


def test_unknown_status_is_refused_with_the_field(agent: User, ticket: Ticket) -> None:
    with pytest.raises(InvalidInput) as error:
        ticket_change_status(ticket=ticket, by=agent, status="archived")

    assert error.value.field == "status"


def test_customer_answer_reopens_a_waiting_ticket(agent: User, ticket: Ticket) -> None:
    ticket_reply(ticket=ticket, by=agent, body="Mohon kirim foto.", status=Status.PENDING_CUSTOMER)

    ticket_receive(ticket=ticket, customer=ticket.customer, body="Ini fotonya.")

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.message_count == 3
    last = ticket.events.order_by("-pk").first()
    assert last is not None
    assert last.data == {"from": "pending_customer", "to": "open", "reason": "customer_replied"}


def test_further_messages_on_an_open_ticket_are_counted_where_the_caller_sees_them(
    ticket: Ticket,
) -> None:
    ticket_receive(ticket=ticket, customer=ticket.customer, body="Satu lagi.")
    ticket_receive(ticket=ticket, customer=ticket.customer, body="Dan satu lagi.")

    # The object the caller holds shows what was stored, without reading it again.
    assert ticket.message_count == 3
    assert Ticket.objects.get(pk=ticket.pk).message_count == 3
    assert ticket.last_customer_message_at == Ticket.objects.get(pk=ticket.pk).updated_at


def test_customer_answer_reopens_a_resolved_ticket(agent: User, ticket: Ticket) -> None:
    ticket_change_status(ticket=ticket, by=agent, status=Status.RESOLVED)

    ticket_receive(ticket=ticket, customer=ticket.customer, body="Masih rusak.")

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.resolved_at is None


def test_a_message_on_a_closed_ticket_is_refused(agent: User, ticket: Ticket) -> None:
    ticket_change_status(ticket=ticket, by=agent, status=Status.CLOSED)

    with pytest.raises(Conflict):
        ticket_receive(ticket=ticket, customer=ticket.customer, body="Halo lagi")

    assert ticket.messages.count() == 1
