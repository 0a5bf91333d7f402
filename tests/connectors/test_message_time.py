"""Response targets count from when the customer wrote, when the sender's time is plausible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from sigap.connectors.models import Connector
from sigap.sla.models import Timer, TimerKind
from sigap.tickets.models import Ticket
from tests.connectors.conftest import message_payload, post_signed, post_update
from tests.connectors.test_telegram import update

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_telegram_message_delivered_late_counts_from_when_it_was_written(
    client: Client, telegram: Connector
) -> None:
    written = NOW - timedelta(minutes=10)
    with time_machine.travel(NOW, tick=False):
        post_update(
            client, telegram, update(50001, 1700, text="Halo", date=int(written.timestamp()))
        )

    ticket = Ticket.objects.get()
    assert ticket.created_at == written
    timer = Timer.objects.get(ticket=ticket, kind=TimerKind.FIRST_RESPONSE)
    assert timer.started_at == written


@pytest.mark.parametrize(
    "claimed", [NOW + timedelta(hours=1), NOW - timedelta(days=3)], ids=["future", "days-old"]
)
def test_an_implausible_time_is_replaced_by_the_desks_clock(
    client: Client, webhook: Connector, claimed: datetime
) -> None:
    payload = message_payload()
    payload["message"]["sent_at"] = claimed.isoformat()
    with time_machine.travel(NOW, tick=False):
        post_signed(client, webhook, payload)

    assert Ticket.objects.get().created_at == NOW


def test_a_webhook_message_time_without_a_time_zone_is_refused(
    client: Client, webhook: Connector
) -> None:
    payload = message_payload()
    payload["message"]["sent_at"] = "2026-11-23T08:55:00"

    response = post_signed(client, webhook, payload)

    assert response.status_code == 422
    assert "message.sent_at" in response.json()["detail"]
