"""A web node beside Celery workers hands them a reply at once: it does not wait for beat.

No `sigap beat` runs here, so the reply can only go out because the node woke a worker after
its commit."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings

from sigap.accounts.models import Team, User
from sigap.accounts.services import token_create
from sigap.tickets.models import DeliveryStatus, Message
from tests.factories import make_ticket
from tests.processes import database_url, running, sigap_process, wait_until_up
from tests.smtp import free_port, smtp_server

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_reply_posted_on_a_web_node_is_sent_by_a_worker_without_beat(
    agent: User, team_a: Team, redis_url: str, tmp_path: Path
) -> None:
    ticket = make_ticket(team=team_a)
    token = token_create(user=agent).token
    with smtp_server() as (smtp_port, received):
        env = {
            **os.environ,
            "SIGAP_DATABASE_URL": database_url(),
            "SIGAP_REDIS_URL": redis_url,
            "SIGAP_DATA_DIR": str(tmp_path),
            "SIGAP_SECRET_KEY": django_settings.SECRET_KEY,
            "SIGAP_SMTP_HOST": "127.0.0.1",
            "SIGAP_SMTP_PORT": str(smtp_port),
        }
        port = free_port()
        node_log, worker_log = tmp_path / "node.log", tmp_path / "worker.log"
        with running(
            [
                sigap_process(["serve", "--no-workers", "--port", str(port)], env, node_log),
                sigap_process(["worker", "--concurrency=1"], env, worker_log),
            ]
        ):
            wait_until_up(port, node_log)
            response = httpx.post(
                f"http://127.0.0.1:{port}/api/tickets/{ticket.pk}/replies",
                json={"body": "Paket pengganti sudah kami kirim hari ini."},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 201, response.text
            reply = Message.objects.get(pk=response.json()["id"])
            deadline = time.monotonic() + 60
            while not received.messages and time.monotonic() < deadline:
                time.sleep(0.1)

        logs = node_log.read_text() + worker_log.read_text()
        assert [mail["Subject"] for mail in received.messages] == [
            f"[{ticket.reference}] {ticket.subject}"
        ], logs[-3000:]
        assert "Paket pengganti" in received.messages[0].get_payload(decode=True).decode()
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
