"""Raw request bodies hold personal data: processed ones are removed after the retention."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client

from sigap.connectors.models import Connector, DeliveryStatus, InboundDelivery
from sigap.core.jobs import run_due_jobs
from sigap.tickets.models import Message
from tests.connectors.conftest import message_payload, post_signed


def test_processed_bodies_go_after_the_retention_and_quarantined_ones_stay(
    client: Client, webhook: Connector, settings: Any
) -> None:
    settings.CONNECTOR_RAW_RETENTION_DAYS = 30
    with time_machine.travel("2026-10-01 09:00:00+00:00", tick=False) as traveller:
        post_signed(client, webhook, message_payload(message_id="m-1"), delivery="d-1")
        post_signed(client, webhook, None, raw=b"{not json", delivery="d-2")
        traveller.shift(timedelta(days=29))
        post_signed(client, webhook, message_payload(message_id="m-2"), delivery="d-3")
        traveller.shift(timedelta(days=2))

        run_due_jobs()
        # A replay of the old delivery is still recognised, and its message still there.
        replay = post_signed(client, webhook, message_payload(message_id="m-1"), delivery="d-1")

    old, quarantined, recent = InboundDelivery.objects.order_by("pk")
    assert (bytes(old.raw), old.headers) == (b"", {})
    assert old.raw_removed_at is not None
    assert quarantined.status == DeliveryStatus.QUARANTINED
    assert bytes(quarantined.raw) == b"{not json"
    assert bytes(recent.raw) != b""
    assert replay.json()["status"] == "duplicate"
    assert Message.objects.count() == 2
