"""Agents' replies on webhook tickets are POSTed, signed, through the outbox: sent once."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.test import Client

from sigap.accounts.models import User
from sigap.connectors.models import Connector
from sigap.connectors.signing import signature
from sigap.core.jobs import run_due_jobs
from sigap.tickets.events import EventKind
from sigap.tickets.models import DeliveryStatus, Ticket
from sigap.tickets.services import ticket_reply
from tests.connectors.conftest import SIGNING_SECRET, message_payload, post_signed
from tests.connectors.fake_servers import Answer, FakeServer

NOW = "2026-11-23 09:00:00+00:00"


def _ticket(client: Client, webhook: Connector) -> Ticket:
    post_signed(client, webhook, message_payload(message_id="m-1", conversation="c-9"))
    return Ticket.objects.get()


def test_a_reply_is_posted_signed_to_the_outbound_url(
    client: Client, webhook: Connector, receiver: FakeServer, agent: User
) -> None:
    ticket = _ticket(client, webhook)

    reply = ticket_reply(ticket=ticket, by=agent, body="Paket Anda sedang dikirim ulang.")
    assert run_due_jobs() == 1

    [request] = receiver.received
    assert request.path == "/replies"
    stamp = request.headers["X-Sigap-Timestamp"]
    assert request.headers["X-Sigap-Signature"] == signature(
        secret=SIGNING_SECRET, timestamp=stamp, body=request.body
    )
    assert request.headers["X-Sigap-Delivery"] == f"sigap-{reply.pk}"
    sent = request.json()
    assert sent["conversation"] == {"id": "c-9"}
    assert sent["recipient"] == {"id": "siti.rahma"}
    assert sent["message"]["text"] == "Paket Anda sedang dikirim ulang."
    assert sent["message"]["in_reply_to"] == "m-1"
    assert sent["ticket"] == {"reference": ticket.reference}
    assert sent["author"] == {"name": "Sari"}
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    assert reply.external_id == "ext-1"


def test_a_reply_is_delivered_once_after_the_receiver_fails_twice(
    client: Client, webhook: Connector, receiver: FakeServer, agent: User
) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        ticket = _ticket(client, webhook)
        receiver.script = [Answer(503, {"error": "maintenance"}), Answer(500)]
        reply = ticket_reply(ticket=ticket, by=agent, body="Mohon maaf atas keterlambatannya.")

        for _attempt in range(6):
            run_due_jobs()
            traveller.shift(timedelta(minutes=5))

    assert [r.headers["X-Sigap-Delivery"] for r in receiver.received] == [f"sigap-{reply.pk}"] * 3
    assert [r.json()["message"]["text"] for r in receiver.received] == [
        "Mohon maaf atas keterlambatannya."
    ] * 3
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT


def test_a_refused_reply_is_marked_failed_on_the_ticket_and_not_retried(
    client: Client, webhook: Connector, receiver: FakeServer, agent: User
) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        ticket = _ticket(client, webhook)
        receiver.script = [Answer(410, {"error": "conversation deleted"})]
        reply = ticket_reply(ticket=ticket, by=agent, body="Halo?")
        for _attempt in range(3):
            run_due_jobs()
            traveller.shift(timedelta(minutes=5))

    assert len(receiver.received) == 1
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    failure = ticket.events.get(kind=EventKind.DELIVERY_FAILED)
    assert "410" in failure.data["reason"]
    assert "conversation deleted" in failure.data["reason"]


def test_a_redirect_is_not_followed(
    client: Client, webhook: Connector, receiver: FakeServer, agent: User
) -> None:
    ticket = _ticket(client, webhook)
    receiver.script = [
        Answer(307, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    ]
    reply = ticket_reply(ticket=ticket, by=agent, body="Halo?")

    run_due_jobs()

    assert len(receiver.received) == 1
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    reason = ticket.events.get(kind=EventKind.DELIVERY_FAILED).data["reason"]
    assert "redirects are not followed" in reason
    assert "169.254.169.254" in reason


def test_a_receiver_asking_to_slow_down_is_not_called_before_its_retry_after(
    client: Client, webhook: Connector, receiver: FakeServer, agent: User
) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        ticket = _ticket(client, webhook)
        receiver.script = [Answer(429, {"error": "slow down"}, headers={"Retry-After": "60"})]
        reply = ticket_reply(ticket=ticket, by=agent, body="Halo")

        run_due_jobs()
        for seconds in (5, 10, 20):  # the outbox's backoff, all inside the minute asked for
            traveller.shift(timedelta(seconds=seconds))
            run_due_jobs()
        assert len(receiver.received) == 1
        traveller.shift(timedelta(minutes=2))
        run_due_jobs()

    assert len(receiver.received) == 2
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
