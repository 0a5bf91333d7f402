"""A flood on one connector is answered 429 with Retry-After; other connectors carry on."""

from __future__ import annotations

from typing import Any

import time_machine
from django.test import Client

from sigap.accounts.models import Team
from sigap.connectors.models import Connector
from sigap.connectors.services import connector_set_secrets
from sigap.tickets.models import Ticket
from tests.connectors.conftest import SIGNING_SECRET, message_payload, post_signed


def test_requests_over_the_limit_are_refused_until_the_minute_is_over(
    client: Client, webhook: Connector, team_a: Team, settings: Any
) -> None:
    settings.CONNECTOR_INBOUND_PER_MINUTE = 3
    other = Connector.objects.create(
        name="Other",
        kind="webhook",
        team=team_a,
        network="whatsapp",
        outbound_url=webhook.outbound_url,
    )
    connector_set_secrets(connector=other, secrets={"signing_secret": SIGNING_SECRET})

    with time_machine.travel("2026-11-23 09:00:20+00:00", tick=False) as traveller:
        statuses = [
            post_signed(client, webhook, message_payload(message_id=f"m-{n}")).status_code
            for n in range(4)
        ]
        refused = post_signed(client, webhook, message_payload(message_id="m-9"))
        elsewhere = post_signed(client, other, message_payload(message_id="m-1"))
        traveller.shift(40)
        later = post_signed(client, webhook, message_payload(message_id="m-4"))

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    assert refused.json()["type"] == "urn:sigap:problem:rate_limited"
    assert elsewhere.status_code == 200
    assert later.status_code == 200
    assert Ticket.objects.count() == 2
