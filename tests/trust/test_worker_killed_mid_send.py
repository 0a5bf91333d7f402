"""A worker killed while the mail server is taking a reply loses nothing and sends nothing twice.

The executor runs in a process of its own against PostgreSQL; the SMTP server holds its answer
to one message and the test kills the worker then (SIGKILL: no clean-up). A second worker,
started once the dead one's lease has run out, finishes the rest: every reply is accepted by
the server exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sigap.accounts.models import Team, User
from sigap.core.jobs import LEASE
from sigap.core.models import Job, JobStatus
from sigap.tickets.models import DeliveryStatus, Message
from sigap.tickets.services import ticket_reply
from tests.factories import make_ticket
from tests.processes import database_url
from tests.trust.smtp_sink import smtp_sink

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]

# The executor's own loop; `shift` seconds ahead of the real clock, so a restarted worker can
# stand for one that starts after the dead worker's lease ran out. Exits when idle.
EXECUTOR = textwrap.dedent(
    """
    import sys, time
    from datetime import timedelta
    import django

    django.setup()
    from sigap.core import clock
    from sigap.core.jobs import run_due_jobs

    def drain():
        idle = 0
        while idle < 30:
            if run_due_jobs():
                idle = 0
            else:
                idle += 1
                time.sleep(0.1)

    with clock.frozen(clock.now() + timedelta(seconds=float(sys.argv[1]))):
        drain()
    """
)


def _executor(shift: float, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", EXECUTOR, str(shift)],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def test_a_worker_killed_mid_send_delivers_every_reply_exactly_once(
    agent: User, team_a: Team, tmp_path: Path
) -> None:
    replies = [
        ticket_reply(ticket=make_ticket(team=team_a), by=agent, body=f"Balasan {n}")
        for n in range(20)
    ]
    log = tmp_path / "executor.log"
    with smtp_sink() as (port, sink):
        sink.hold_at = 8
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sigap.settings",
            "SIGAP_DATABASE_URL": database_url(),
            "SIGAP_DATA_DIR": str(tmp_path),
            "SIGAP_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "SIGAP_SMTP_HOST": "127.0.0.1",
            "SIGAP_SMTP_PORT": str(port),
        }
        first = _executor(0, env, log)
        try:
            assert sink.holding.wait(60), log.read_text()[-3000:]
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
            sink.release.set()
        time.sleep(1)  # the held answer goes to nobody; the server notices the closed socket

        sent_before = sum(sink.accepted.values())
        pending = Message.objects.filter(
            pk__in=[r.pk for r in replies], delivery_status=DeliveryStatus.QUEUED
        )
        assert sent_before == 7
        assert pending.count() == 13
        assert sink.dropped == 1

        second = _executor(LEASE.total_seconds() + 60, env, log)
        assert second.wait(120) == 0, log.read_text()[-3000:]

    assert not pending.exists(), log.read_text()[-3000:]
    assert sum(sink.accepted.values()) == len(replies)
    assert set(sink.accepted.values()) == {1}, "a reply was sent twice"
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.DONE}
