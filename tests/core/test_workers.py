"""Background jobs under real concurrency: PostgreSQL row locks, Celery workers, Redis, SMTP."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from sigap.accounts.models import Team, User
from sigap.core.jobs import job_enqueue, job_handler, run_due_jobs
from sigap.tickets.models import DeliveryStatus, Message
from sigap.tickets.services import ticket_reply
from tests.factories import make_ticket
from tests.processes import celery_cluster, database_url
from tests.smtp import smtp_server

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

seen: list[int] = []


@job_handler("test_count")
def _count(payload: dict[str, Any]) -> None:
    seen.append(payload["n"])


def test_four_runners_at_once_run_every_job_exactly_once() -> None:
    seen.clear()
    for n in range(200):
        job_enqueue(kind="test_count", payload={"n": n})

    def runner() -> None:
        try:
            while run_due_jobs(limit=7):
                pass
        finally:
            # Not close_old_connections(): a connection younger than CONN_MAX_AGE would outlive
            # the thread and keep the test database from being dropped.
            connections.close_all()

    threads = [threading.Thread(target=runner) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(seen) == list(range(200))


def test_two_celery_workers_deliver_every_reply_exactly_once(
    agent: User, team_a: Team, redis_url: str, tmp_path: Path
) -> None:
    tickets = [make_ticket(team=team_a) for _ in range(30)]
    replies = [
        ticket_reply(ticket=ticket, by=agent, body=f"Balasan nomor {n}")
        for n, ticket in enumerate(tickets)
    ]
    with smtp_server() as (smtp_port, received):
        env = {
            **os.environ,
            "SIGAP_DATABASE_URL": database_url(),
            "SIGAP_REDIS_URL": redis_url,
            "SIGAP_DATA_DIR": str(tmp_path),
            "SIGAP_SMTP_HOST": "127.0.0.1",
            "SIGAP_SMTP_PORT": str(smtp_port),
            "SIGAP_JOBS_POLL_SECONDS": "0.2",
        }
        with celery_cluster(env, tmp_path):
            deadline = time.monotonic() + 90
            pending = Message.objects.filter(
                pk__in=[r.pk for r in replies], delivery_status=DeliveryStatus.QUEUED
            )
            while pending.exists() and time.monotonic() < deadline:
                time.sleep(0.2)

        logs = "\n".join(p.read_text() for p in tmp_path.glob("*.log"))
        assert not pending.exists(), logs[-3000:]
        ids = Counter(mail["Message-ID"] for mail in received.messages)
        assert len(ids) == len(replies)
        assert set(ids.values()) == {1}, "a reply was sent twice"
        assert {mail["Subject"] for mail in received.messages} == {
            f"[{t.reference}] {t.subject}" for t in tickets
        }
