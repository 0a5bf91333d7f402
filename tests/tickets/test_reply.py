from __future__ import annotations

import pytest
from django.core import mail

from sigap.accounts.models import User
from sigap.core.errors import Conflict, NotAllowed
from sigap.core.jobs import run_due_jobs
from sigap.tickets.models import DeliveryStatus, Direction, Status, Ticket
from sigap.tickets.services import ticket_change_status, ticket_reply


def test_reply_reaches_the_customer_by_email_once(agent: User, ticket: Ticket) -> None:
    message = ticket_reply(ticket=ticket, by=agent, body="Mohon maaf atas kerusakannya.")

    assert message.direction == Direction.OUTBOUND
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert run_due_jobs() == 1
    assert run_due_jobs() == 0

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [ticket.customer.identities.get().value]
    assert sent.subject == f"[{ticket.reference}] {ticket.subject}"
    assert "Mohon maaf" in sent.body
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT


def test_first_reply_opens_a_new_ticket_and_records_first_response(
    agent: User, ticket: Ticket
) -> None:
    ticket_reply(ticket=ticket, by=agent, body="Terima kasih atas laporannya.")

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at is not None
    assert ticket.message_count == 2
    kinds = list(ticket.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["ticket_created", "reply_sent", "status_changed"]


def test_reply_to_a_closed_ticket_is_refused_and_nothing_is_saved(
    agent: User, ticket: Ticket
) -> None:
    ticket_change_status(ticket=ticket, by=agent, status=Status.CLOSED)
    events_before = ticket.events.count()

    with pytest.raises(Conflict, match="closed"):
        ticket_reply(ticket=ticket, by=agent, body="Halo?")

    assert ticket.messages.count() == 1
    assert ticket.events.count() == events_before


def test_agent_of_another_team_cannot_reply(outsider: User, ticket: Ticket) -> None:
    with pytest.raises(NotAllowed):
        ticket_reply(ticket=ticket, by=outsider, body="Bukan tiket saya")

    assert ticket.messages.count() == 1
