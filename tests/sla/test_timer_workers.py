"""SLA timers under real concurrency: Celery workers, PostgreSQL row locks, a killed worker.

DESIGN §4: two workers never fire the same timer, and a worker killed mid-way loses nothing."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from sigap.accounts.models import Team
from sigap.core import clock
from sigap.core.models import Job
from sigap.sla.firing import sla_fire_due
from sigap.sla.models import Escalation, Timer, TimerKind
from sigap.tickets.events import EventKind
from sigap.tickets.models import Channel, TicketEvent
from tests.factories import make_ticket
from tests.processes import celery_cluster, database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _open_chats(team: Team, count: int, at: datetime) -> list[int]:
    with clock.frozen(at):
        return [make_ticket(team=team, channel=Channel.CHAT).pk for _ in range(count)]


def _overdue() -> Any:
    return Timer.objects.filter(fire_at__lte=timezone.now())


def _fired(kind: EventKind) -> Counter[tuple[int, str]]:
    """How many times each (ticket, target) got an event of `kind`."""
    rows = TicketEvent.objects.filter(kind=kind).values_list("ticket_id", "data")
    return Counter((ticket, data["target"]) for ticket, data in rows)


def test_two_celery_workers_fire_every_due_timer_exactly_once(
    team_a: Team, redis_url: str, tmp_path: Path
) -> None:
    now = timezone.now()
    # Unanswered chats. Opened two days ago: first response and resolution are past their
    # breach (so no warning may fire) and level 1 of the ladder ran out. Opened 20 hours
    # ago: first response breached, resolution only at its warning (80% of a day).
    old = _open_chats(team_a, 60, now - timedelta(days=2))
    recent = _open_chats(team_a, 240, now - timedelta(hours=20))
    due = {(t.ticket_id, t.kind): t.pk for t in _overdue()}
    assert len(due) == 3 * len(old) + 2 * len(recent)
    warned = {(pk, TimerKind.RESOLUTION) for pk in recent}
    breached = {key for key in due if key[1] != TimerKind.ESCALATION} - warned

    env = {
        **os.environ,
        "SIGAP_DATABASE_URL": database_url(),
        "SIGAP_REDIS_URL": redis_url,
        "SIGAP_DATA_DIR": str(tmp_path),
        "SIGAP_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SIGAP_JOBS_POLL_SECONDS": "0.2",
    }
    with celery_cluster(env, tmp_path):
        deadline = time.monotonic() + 45
        while _overdue().exists() and time.monotonic() < deadline:
            time.sleep(0.2)

    logs = "\n".join(p.read_text() for p in sorted(tmp_path.glob("*.log")))
    assert not _overdue().exists(), logs[-3000:]
    assert _fired(EventKind.SLA_BREACHED) == dict.fromkeys(breached, 1)
    # A warning fires only where the breach is still ahead.
    assert _fired(EventKind.SLA_WARNED) == dict.fromkeys(warned, 1)
    keys = Job.objects.filter(kind="sla_alert_email").values_list("idempotency_key", flat=True)
    assert sorted(keys) == sorted(
        [f"sla-alert:{due[key]}:breach" for key in breached]
        + [f"sla-alert:{due[key]}:warning" for key in warned]
    )
    # Each old ticket climbed from level 1 to level 2, once.
    assert Counter(Escalation.objects.values_list("ticket_id", "level")) == {
        (pk, 2): 1 for pk in old
    }


# The real executor in its own process, stopped after it wrote its events and jobs but before
# its transaction commits: it reports what it claimed, then waits there to be killed.
WORKER = textwrap.dedent(
    """
    import json, sys, time
    import django

    django.setup()
    from django.db import connection
    from sigap.sla import firing

    fire_alerts = firing._fire_alerts

    def fire_then_hang(timers, now):
        fire_alerts(timers, now)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        claimed = [timer.pk for timer in timers]
        print(json.dumps({"backend": backend, "claimed": claimed}), flush=True)
        time.sleep(120)

    firing._fire_alerts = fire_then_hang
    firing.sla_fire_due(limit=int(sys.argv[1]))
    """
)


@pytest.fixture
def hanging_worker(tmp_path: Path) -> Iterator[Callable[[int], subprocess.Popen[str]]]:
    """Starts the hanging executor, claiming up to `limit` timers; killed at the end anyway."""
    started: list[subprocess.Popen[str]] = []

    def start(limit: int) -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "SIGAP_DATABASE_URL": database_url(),
            "SIGAP_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "sigap.settings",
        }
        process = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(limit)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=(tmp_path / "worker.log").open("w"),
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(20)


def _report(process: subprocess.Popen[str], timeout: float, log: Path) -> dict[str, Any]:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout)
    assert ready, f"the worker never reported its claim: {log.read_text()[-2000:]}"
    line = process.stdout.readline()
    assert line, f"the worker exited with {process.wait(5)}: {log.read_text()[-2000:]}"
    report: dict[str, Any] = json.loads(line)
    return report


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def test_a_worker_killed_mid_batch_loses_nothing_and_its_rows_are_skipped_meanwhile(
    team_a: Team, hanging_worker: Callable[[int], subprocess.Popen[str]], tmp_path: Path
) -> None:
    # Opened two minutes ago: each chat's first response (warning and breach) is overdue.
    _open_chats(team_a, 60, timezone.now() - timedelta(minutes=2))
    due = {t.pk: t.ticket_id for t in _overdue()}
    assert len(due) == 60

    first = hanging_worker(25)
    report = _report(first, timeout=30, log=tmp_path / "worker.log")
    claimed = set(report["claimed"])
    assert len(claimed) == 25
    assert claimed <= set(due)

    # While the first worker holds its 25 rows, a second one takes the other 35 at once:
    # SKIP LOCKED, neither waiting on the locks nor firing the held rows.
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")
    try:
        assert sla_fire_due() == 35
        assert sla_fire_due() == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    fired = set(due) - set(_overdue().values_list("pk", flat=True))
    assert fired == set(due) - claimed
    assert set(_fired(EventKind.SLA_BREACHED)) == {
        (due[pk], TimerKind.FIRST_RESPONSE) for pk in fired
    }

    # Killed with its events and jobs written but not committed.
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    deadline = time.monotonic() + 10
    while _backend_alive(report["backend"]):
        assert time.monotonic() < deadline, "PostgreSQL kept the dead worker's transaction"
        time.sleep(0.05)

    assert set(_overdue().values_list("pk", flat=True)) == claimed
    assert sla_fire_due() == 25
    assert not _overdue().exists()
    breached = _fired(EventKind.SLA_BREACHED)
    assert set(breached) == {(ticket, TimerKind.FIRST_RESPONSE) for ticket in due.values()}
    assert set(breached.values()) == {1}
    assert _fired(EventKind.SLA_WARNED) == Counter()
    keys = Job.objects.filter(kind="sla_alert_email").values_list("idempotency_key", flat=True)
    assert sorted(keys) == sorted(f"sla-alert:{pk}:breach" for pk in due)
