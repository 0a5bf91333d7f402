"""The real `sigap serve` on PostgreSQL: a signed message comes in over HTTP and the agent's
reply leaves through the server's own job runner, to a receiver on 127.0.0.1."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings

from sigap.accounts.models import User
from sigap.connectors.models import Connector
from sigap.connectors.signing import signed_headers
from sigap.tickets.models import DeliveryStatus, Ticket
from sigap.tickets.services import ticket_reply
from tests.connectors.conftest import SIGNING_SECRET, inbound_url, message_payload
from tests.connectors.fake_servers import FakeServer
from tests.processes import database_url, running, sigap_process
from tests.smtp import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WAIT_SECONDS = 60.0


def _until(condition: Callable[[], bool], log: Path) -> None:
    """Wait for the other process; a hang guard, not a measurement."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    env = {
        **os.environ,
        "SIGAP_DATABASE_URL": database_url(),
        "SIGAP_DATA_DIR": str(tmp_path),
        # The same key as this test process, so both read the connector's sealed secrets.
        "SIGAP_SECRET_KEY": django_settings.SECRET_KEY,
        "SIGAP_CONNECTOR_ALLOWED_NETWORKS": "127.0.0.0/8",
        "SIGAP_JOBS_POLL_SECONDS": "0.2",
    }
    port = free_port()
    log = tmp_path / "serve.log"
    with running([sigap_process(["serve", "--port", str(port)], env, log)]):

        def ready() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz").text == "ok"
            except httpx.TransportError:
                return False

        _until(ready, log)
        yield port, log


def test_a_message_in_and_the_reply_out_through_the_running_desk(
    webhook: Connector, receiver: FakeServer, agent: User, served: tuple[int, Path]
) -> None:
    port, log = served
    body = json.dumps(message_payload(text="Barang saya pecah")).encode()
    headers = signed_headers(
        secret=SIGNING_SECRET, timestamp=int(time.time()), body=body, delivery="d-1"
    )

    response = httpx.post(
        f"http://127.0.0.1:{port}{inbound_url(webhook)}",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 200, response.text
    ticket = Ticket.objects.get()
    assert response.json()["tickets"] == [ticket.reference]
    reply = ticket_reply(ticket=ticket, by=agent, body="Kami kirim pengganti hari ini.")
    _until(lambda: len(receiver.received) == 1, log)
    assert receiver.received[0].json()["message"]["text"] == "Kami kirim pengganti hari ini."
    _until(
        lambda: (
            Ticket.objects.get().messages.get(pk=reply.pk).delivery_status == DeliveryStatus.SENT
        ),
        log,
    )
