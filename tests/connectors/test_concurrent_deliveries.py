"""A sender retrying while the first delivery is still being processed makes one ticket."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from sigap.connectors.models import Connector, InboundDelivery
from sigap.connectors.services import Outcome, inbound_receive
from sigap.connectors.signing import signed_headers
from sigap.core import clock
from sigap.tickets.models import Message, Ticket
from tests.connectors.conftest import SIGNING_SECRET, message_payload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _deliver_together(connector: Connector, bodies: list[tuple[bytes, str]]) -> list[Outcome]:
    barrier = threading.Barrier(len(bodies))
    outcomes: list[Outcome] = []
    failures: list[BaseException] = []

    def deliver(body: bytes, delivery: str) -> None:
        try:
            headers = signed_headers(
                secret=SIGNING_SECRET,
                timestamp=int(clock.now().timestamp()),
                body=body,
                delivery=delivery,
            )
            barrier.wait(timeout=30)
            outcomes.append(inbound_receive(connector=connector, headers=headers, body=body))
        except BaseException as error:  # reported by the test below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=item) for item in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    return outcomes


def test_the_same_delivery_twice_at_once_is_taken_once(webhook: Connector) -> None:
    body = json.dumps(message_payload(message_id="m-1")).encode()

    outcomes = _deliver_together(webhook, [(body, "d-1"), (body, "d-1"), (body, "d-1")])

    assert sorted(outcome.code for outcome in outcomes) == ["accepted", "duplicate", "duplicate"]
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1
    assert InboundDelivery.objects.count() == 1


def test_the_same_message_in_two_deliveries_at_once_is_taken_once(webhook: Connector) -> None:
    body = json.dumps(message_payload(message_id="m-1")).encode()

    outcomes = _deliver_together(webhook, [(body, "d-1"), (body, "d-2")])

    assert sorted(outcome.code for outcome in outcomes) == ["accepted", "duplicate"]
    assert Message.objects.count() == 1
