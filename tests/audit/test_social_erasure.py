"""Erasing someone who wrote through a social connector also clears the raw webhook bodies."""

from __future__ import annotations

from django.test import Client

from sigap.accounts.models import User
from sigap.audit.privacy import customer_erase
from sigap.connectors.models import Connector, InboundDelivery
from sigap.tickets.models import Ticket
from tests.audit.test_privacy import database_text
from tests.connectors.conftest import (  # noqa: F401  (fixtures used by name)
    loopback_allowed,
    message_payload,
    post_signed,
    receiver,
    webhook,
)

TEXT = "Halo, pesanan atas nama Siti Rahma di Jalan Kenanga 3 belum sampai."


def test_a_social_customer_leaves_no_trace_in_the_raw_deliveries(
    client: Client,
    webhook: Connector,  # noqa: F811
    manager: User,
) -> None:
    post_signed(client, webhook, message_payload(text=TEXT), delivery="d-1")
    ticket = Ticket.objects.get()
    assert "Jalan Kenanga" in bytes(InboundDelivery.objects.get().raw).decode()

    customer_erase(ticket.customer, by=manager)

    dump = database_text()
    assert [t for t in ("Siti Rahma", "siti.rahma", "Jalan Kenanga") if t in dump] == []
    assert Ticket.objects.filter(pk=ticket.pk, channel=ticket.channel).exists()
