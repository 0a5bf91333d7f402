"""Messages of one external conversation land on one ticket until it is closed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sigap.accounts.models import User
from sigap.connectors import services as connector_services
from sigap.connectors.models import Connector, ConnectorTicket
from sigap.tickets.models import Message, Priority, Status, Ticket
from sigap.tickets.services import ticket_change_status
from tests import factories
from tests.connectors.conftest import message_payload, post_signed


def test_a_second_message_of_the_conversation_joins_its_open_ticket(
    client: Client, webhook: Connector
) -> None:
    post_signed(client, webhook, message_payload(message_id="m-1"))
    second = post_signed(
        client, webhook, message_payload(message_id="m-2", text="Nomor resi JX123")
    )

    ticket = Ticket.objects.get()
    assert second.json()["tickets"] == [ticket.reference]
    assert ticket.message_count == 2
    assert list(ticket.messages.order_by("pk").values_list("body_text", flat=True)) == [
        "Halo, paket saya belum sampai.",
        "Nomor resi JX123",
    ]


def test_another_conversation_starts_its_own_ticket(client: Client, webhook: Connector) -> None:
    post_signed(client, webhook, message_payload(message_id="m-1", conversation="c-1"))
    post_signed(client, webhook, message_payload(message_id="m-2", conversation="c-2"))

    assert Ticket.objects.count() == 2
    # Same sender, so the same customer on both.
    assert Ticket.objects.values("customer").distinct().count() == 1


def test_a_message_after_the_ticket_was_resolved_reopens_it(
    client: Client, webhook: Connector, agent: User
) -> None:
    post_signed(client, webhook, message_payload(message_id="m-1"))
    ticket = Ticket.objects.get()
    ticket_change_status(ticket=ticket, by=agent, status=Status.RESOLVED)

    post_signed(client, webhook, message_payload(message_id="m-2", text="Masih belum sampai"))

    ticket.refresh_from_db()
    assert Ticket.objects.count() == 1
    assert ticket.status == Status.OPEN


def test_a_message_after_the_ticket_was_closed_starts_a_new_one(
    client: Client, webhook: Connector, agent: User
) -> None:
    post_signed(client, webhook, message_payload(message_id="m-1"))
    first = Ticket.objects.get()
    ticket_change_status(ticket=first, by=agent, status=Status.CLOSED)

    response = post_signed(client, webhook, message_payload(message_id="m-2", text="Halo lagi"))

    second = Ticket.objects.exclude(pk=first.pk).get()
    assert response.json()["tickets"] == [second.reference]
    assert ConnectorTicket.objects.get(ticket=second).conversation_id == "c-9"


def test_a_ticket_closed_while_its_message_arrives_makes_way_for_a_new_one(
    client: Client, webhook: Connector, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    post_signed(client, webhook, message_payload(message_id="m-1"))
    first = Ticket.objects.get()
    receive = connector_services.ticket_receive

    def closed_meanwhile(**kwargs: Any) -> Message:
        # The desk closes the ticket after the message found it open, before it is stored.
        ticket_change_status(ticket=first, by=agent, status=Status.CLOSED)
        return receive(**kwargs)

    monkeypatch.setattr(connector_services, "ticket_receive", closed_meanwhile)
    response = post_signed(client, webhook, message_payload(message_id="m-2", text="Halo lagi"))

    second = Ticket.objects.exclude(pk=first.pk).get()
    assert response.json()["tickets"] == [second.reference]
    assert list(second.messages.values_list("body_text", flat=True)) == ["Halo lagi"]
    assert first.messages.count() == 1


def test_priority_and_category_from_the_payload_count_only_for_a_trusted_connector(
    client: Client, webhook: Connector
) -> None:
    factories.make_category("Refund")
    extra = {"priority": "urgent", "category": "refund"}
    post_signed(client, webhook, message_payload(message_id="m-1", conversation="c-1", **extra))
    webhook.is_trusted = True
    webhook.save()
    post_signed(client, webhook, message_payload(message_id="m-2", conversation="c-2", **extra))

    untrusted, trusted = Ticket.objects.order_by("pk")
    assert (untrusted.priority, untrusted.category) == (Priority.NORMAL, None)
    assert trusted.priority == Priority.URGENT
    assert trusted.category is not None
    assert trusted.category.slug == "refund"
