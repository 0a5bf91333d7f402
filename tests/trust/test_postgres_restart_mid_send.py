"""PostgreSQL restarts while the mail server is taking a reply: the reply is not sent twice.

The worst moment for a restart: the worker has locked the reply, handed it to the SMTP server,
and not yet committed that it was sent. The SMTP server holds its answer while the test
restarts the (private) cluster, then accepts; the worker's commit fails and the job is tried
again. The server must still see each reply once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import require_service
from tests.trust.private_postgres import Cluster, private_postgres
from tests.trust.smtp_sink import smtp_sink
from tests.trust.test_postgres_restart import ROOT, _query

pytestmark = pytest.mark.postgres

REPLIES = 5
SEED = textwrap.dedent(
    """
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sigap.accounts.models import Role
    from sigap.accounts.services import team_create, user_create
    from sigap.customers.models import IdentityKind
    from sigap.customers.services import IdentityInput, customer_create
    from sigap.tickets.models import Channel
    from sigap.tickets.services import ticket_open, ticket_reply

    team = team_create(name="Retail", slug="retail")
    agent = user_create(username="sari", email="s@desk.example", password="x-Rahasia-123",
                        role=Role.AGENT, teams=[team])
    for number in range(REPLIES):
        customer = customer_create(by=None, name=f"P{number}", identities=[
            IdentityInput(IdentityKind.EMAIL, f"p{number}@mail.example")])
        ticket = ticket_open(customer=customer, identity=customer.identities.first(),
                             channel=Channel.EMAIL, subject=f"Pesanan {number}", body="Rusak.",
                             team=team)
        ticket_reply(ticket=ticket, by=agent, body=f"Balasan {number}")
    """
).replace("REPLIES", str(REPLIES))

# The executor's loop, as `sigap serve` runs it, with a short lease so that a job whose
# worker lost its transaction comes round again within the test. Exits when idle.
EXECUTOR = textwrap.dedent(
    """
    import time
    from datetime import timedelta
    import django

    django.setup()
    from django.db import close_old_connections
    from sigap.core import jobs

    jobs.LEASE = timedelta(seconds=2)
    idle = 0
    while idle < 60:
        try:
            close_old_connections()
            idle = 0 if jobs.run_due_jobs() else idle + 1
        except Exception as error:
            print("pass failed:", type(error).__name__, error, flush=True)
            idle = 0
        time.sleep(0.1)
    """
)


def _python(script: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def test_a_restart_between_sending_and_committing_sends_nothing_twice(tmp_path: Path) -> None:
    try:
        context = private_postgres()
        cluster = context.__enter__()
    except (FileNotFoundError, RuntimeError) as error:
        require_service("a private PostgreSQL cluster", str(error))
    try:
        _scenario(cluster, tmp_path)
    finally:
        context.__exit__(None, None, None)


def _scenario(cluster: Cluster, tmp_path: Path) -> None:
    log = tmp_path / "desk.log"
    with smtp_sink() as (port, sink):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sigap.settings",
            "SIGAP_DATABASE_URL": cluster.url,
            "SIGAP_DATA_DIR": str(tmp_path),
            "SIGAP_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "SIGAP_SMTP_HOST": "127.0.0.1",
            "SIGAP_SMTP_PORT": str(port),
        }
        env.pop("SIGAP_REDIS_URL", None)
        assert _python(SEED, env, log).wait(300) == 0, log.read_text()[-3000:]
        sink.hold_at = 3
        executor = _python(EXECUTOR, env, log)
        try:
            assert sink.holding.wait(60), log.read_text()[-3000:]
            cluster.restart()
            sink.release.set()
            assert executor.wait(120) == 0, log.read_text()[-3000:]
        finally:
            if executor.poll() is None:
                executor.kill()

    output = log.read_text()
    assert "terminating connection" in output, "the restart never reached the worker"
    sent = _query(cluster, "SELECT external_id FROM tickets_message WHERE delivery_status = 'sent'")
    assert len(sent) == REPLIES, output[-3000:]
    assert set(sink.accepted) == {external_id for (external_id,) in sent}
    assert set(sink.accepted.values()) == {1}, f"sent twice: {sink.accepted}"
