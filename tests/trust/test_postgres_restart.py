"""PostgreSQL restarted while the desk is busy: no job or timer lost or done twice.

A private cluster (its own initdb, port and folder) runs the desk: `sigap serve` with its
embedded job runner, and a load process opening mail tickets that are answered and chats that
are already past their first-response deadline. Mid-load the cluster is restarted with
`pg_ctl restart -m fast`, which cuts every connection and aborts every open transaction. When
the desk has caught up: every reply reached the SMTP server once, every deadline fired once.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import require_service
from tests.processes import running, sigap_process
from tests.smtp import free_port
from tests.trust.private_postgres import Cluster, private_postgres
from tests.trust.smtp_sink import smtp_sink

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
UNITS = 60
RESTART_AFTER = 20

# Opens UNITS pairs of tickets, each pair in one transaction; a unit cut by the restart is
# tried again unless it was in fact committed (its subject is there), so none is made twice.
LOAD = textwrap.dedent(
    """
    import sys, time
    from datetime import timedelta
    import django

    django.setup()
    from django.db import close_old_connections, connections, transaction
    from django.db.utils import Error as DatabaseError
    from sigap.accounts.models import Role, Team, User
    from sigap.accounts.services import team_create, user_create
    from sigap.core import clock
    from sigap.customers.models import IdentityKind
    from sigap.customers.services import IdentityInput, customer_create
    from sigap.tickets.models import Channel, Ticket
    from sigap.tickets.services import ticket_open, ticket_reply

    team = Team.objects.filter(slug="retail").first() or team_create(name="Retail", slug="retail")
    agent = User.objects.filter(username="sari").first() or user_create(
        username="sari", email="sari@desk.example", password="x-Rahasia-123",
        role=Role.AGENT, teams=[team], first_name="Sari",
    )

    def open_ticket(number, channel, subject):
        customer = customer_create(
            by=None, name=f"Pelanggan {number}", language="id",
            identities=[IdentityInput(IdentityKind.EMAIL, f"p{number}-{channel}@mail.example")],
        )
        return ticket_open(
            customer=customer, identity=customer.identities.first(), channel=channel,
            subject=subject, body="Barang saya rusak.", team=team,
        )

    def unit(number):
        with transaction.atomic():
            mail = open_ticket(number, Channel.EMAIL, f"load-mail-{number}")
            ticket_reply(ticket=mail, by=agent, body=f"Balasan {number}")
            with clock.frozen(clock.now() - timedelta(minutes=2)):
                open_ticket(number, Channel.CHAT, f"load-chat-{number}")

    for number in range(int(sys.argv[1])):
        while True:
            try:
                if not Ticket.objects.filter(subject=f"load-mail-{number}").exists():
                    unit(number)
                break
            except DatabaseError as error:
                print(f"retry {number}: {type(error).__name__}", file=sys.stderr, flush=True)
                for connection in connections.all():
                    connection.close()
                time.sleep(0.2)
        print(number, flush=True)
        time.sleep(0.05)
    """
)


def _healthy(port: int, deadline: float, log: Path) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"sigap serve did not come up: {log.read_text()[-3000:]}")


def _query(cluster: Cluster, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(cluster.url.replace("postgres://", "postgresql://")) as connection:
        return connection.execute(sql).fetchall()  # type: ignore[arg-type]


# The work this test follows: each must be done, however long its retry backoff has grown.
OWED = "kind IN ('deliver_message', 'sla_alert_email')"


def _hurry_retries(cluster: Cluster) -> None:
    """Failed attempts during the restart wait out a growing backoff; the backoff is not what
    this test measures, so the retries are made due now."""
    with psycopg.connect(cluster.url.replace("postgres://", "postgresql://")) as connection:
        connection.execute(
            f"UPDATE core_job SET due_at = now() WHERE status = 'pending' AND {OWED}"  # noqa: S608
            " AND due_at > now()"
        )


def _caught_up(cluster: Cluster) -> bool:
    (pending,) = _query(
        cluster,
        f"SELECT count(*) FROM core_job WHERE status = 'pending' AND {OWED}",  # noqa: S608
    )[0]
    (overdue,) = _query(cluster, "SELECT count(*) FROM sla_timer WHERE fire_at <= now()")[0]
    return bool(pending == 0 and overdue == 0)


def test_a_postgresql_restart_under_load_loses_and_doubles_nothing(tmp_path: Path) -> None:
    try:
        cluster_context = private_postgres()
        cluster = cluster_context.__enter__()
    except (FileNotFoundError, RuntimeError) as error:
        require_service("a private PostgreSQL cluster", str(error))
    try:
        _run_scenario(cluster, tmp_path)
    finally:
        cluster_context.__exit__(None, None, None)


def _run_scenario(cluster: Cluster, tmp_path: Path) -> None:
    port = free_port()
    with smtp_sink() as (smtp_port, sink):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sigap.settings",
            "SIGAP_DATABASE_URL": cluster.url,
            "SIGAP_DATA_DIR": str(tmp_path),
            "SIGAP_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "SIGAP_SMTP_HOST": "127.0.0.1",
            "SIGAP_SMTP_PORT": str(smtp_port),
            "SIGAP_JOBS_POLL_SECONDS": "0.2",
        }
        env.pop("SIGAP_REDIS_URL", None)
        serve_log = tmp_path / "serve.log"
        with running([sigap_process(["serve", "--port", str(port)], env, serve_log)]):
            _healthy(port, time.monotonic() + 240, serve_log)
            load = subprocess.Popen(  # noqa: S603
                [sys.executable, "-c", LOAD, str(UNITS)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=(tmp_path / "load.log").open("w"),
                text=True,
            )
            with running([load]):
                _restart_mid_load(cluster, load, tmp_path)
                assert load.wait(180) == 0, (tmp_path / "load.log").read_text()[-3000:]
            deadline = time.monotonic() + 120
            while not _caught_up(cluster) and time.monotonic() < deadline:
                _hurry_retries(cluster)
                time.sleep(0.5)
            logs = serve_log.read_text()[-4000:]
            owed = _query(
                cluster,
                "SELECT kind, due_at, attempts FROM core_job WHERE status = 'pending'",
            )
            assert _caught_up(cluster), (owed, logs)

    retries = (tmp_path / "load.log").read_text()
    assert "retry" in retries, "the restart never reached the load: nothing was tested"
    _assert_nothing_lost_or_doubled(cluster, sink.accepted)


def _restart_mid_load(cluster: Cluster, load: subprocess.Popen[str], tmp_path: Path) -> None:
    assert load.stdout is not None
    done = -1
    with selectors.DefaultSelector() as selector:
        selector.register(load.stdout, selectors.EVENT_READ)
        while done < RESTART_AFTER:
            assert selector.select(120), (tmp_path / "load.log").read_text()[-2000:]
            line = load.stdout.readline()
            assert line, (tmp_path / "load.log").read_text()[-2000:]
            done = int(line)
    cluster.restart()
    for _line in load.stdout:
        pass


def _assert_nothing_lost_or_doubled(cluster: Cluster, accepted: Counter[str]) -> None:
    subjects = Counter(
        subject for (subject,) in _query(cluster, "SELECT subject FROM tickets_ticket")
    )
    assert len(subjects) == 2 * UNITS
    assert set(subjects.values()) == {1}

    replies = {
        external_id
        for (external_id, status) in _query(
            cluster,
            "SELECT external_id, delivery_status FROM tickets_message WHERE direction = 'out'",
        )
        if status == "sent"
    }
    assert len(replies) == UNITS
    assert set(accepted) == replies
    assert set(accepted.values()) == {1}, "a reply was sent twice"

    jobs = _query(cluster, "SELECT kind, status, count(*) FROM core_job GROUP BY kind, status")
    assert {(kind, status) for kind, status, _count in jobs} <= {
        ("deliver_message", "done"),
        ("sla_alert_email", "done"),
    }
    breaches = Counter(
        (ticket, target)
        for ticket, target in _query(
            cluster,
            "SELECT ticket_id, data->>'target' FROM tickets_ticketevent "
            "WHERE kind = 'sla_breached'",
        )
    )
    chats = {
        pk for (pk,) in _query(cluster, "SELECT id FROM tickets_ticket WHERE channel = 'chat'")
    }
    assert {ticket for ticket, _target in breaches} == chats
    assert set(breaches.values()) == {1}, "a deadline fired twice"
    warnings = _query(cluster, "SELECT count(*) FROM tickets_ticketevent WHERE kind = 'sla_warned'")
    assert warnings == [(0,)]
