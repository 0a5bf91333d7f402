"""`sigap ingest-email` for an MTA pipe: the exit code tells the MTA whether to retry."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from sigap.intake.models import InboundEmail, InboundStatus, Mailbox
from sigap.tickets.models import Ticket
from tests.intake.conftest import eml


def _ingest(raw: bytes, *args: str) -> str:
    out = io.StringIO()
    call_command("ingest_email", *args, stdin=io.BytesIO(raw), stdout=out)
    return out.getvalue()


def test_a_message_on_stdin_becomes_a_ticket_of_the_mailbox_team(mailbox: Mailbox) -> None:
    output = _ingest(eml("plain-utf8.eml"), "--mailbox", "cs")

    assert output.strip() == "ticket_created <CAF3kT9x-plain-utf8-0001@mail.contoh.co.id>"
    ticket = Ticket.objects.get()
    assert ticket.team == mailbox.team


def test_an_mbox_from_line_before_the_headers_is_skipped(mailbox: Mailbox) -> None:
    _ingest(b"From siti@contoh.co.id Mon Mar  3 09:14:02 2025\n" + eml("plain-utf8.eml"))

    assert InboundEmail.objects.get().status == InboundStatus.TICKET_CREATED


def test_quarantined_mail_exits_0_because_retrying_would_not_help(db: None) -> None:
    output = _ingest(eml("garbage.eml"))

    assert output.startswith("quarantined ")


def test_an_unknown_mailbox_asks_the_mta_to_retry(db: None) -> None:
    with pytest.raises(CommandError) as raised:
        _ingest(eml("plain-utf8.eml"), "--mailbox", "nope")

    assert raised.value.returncode == 75
    assert not InboundEmail.objects.exists()


def test_a_database_failure_asks_the_mta_to_retry(db: None, monkeypatch: Any) -> None:
    def unavailable(**kwargs: Any) -> None:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("sigap.intake.management.commands.ingest_email.email_ingest", unavailable)

    with pytest.raises(CommandError) as raised:
        _ingest(eml("plain-utf8.eml"))

    assert raised.value.returncode == 75


def _sigap(
    args: list[str], stdin: bytes, env: dict[str, str]
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "sigap", *args],
        input=stdin,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_the_real_command_exits_75_when_the_database_is_down(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SIGAP_DATA_DIR": str(tmp_path),
        # Nothing listens on port 1.
        "SIGAP_DATABASE_URL": "postgres://sigap@127.0.0.1:1/sigap?connect_timeout=2",
    }

    result = _sigap(["ingest-email"], eml("plain-utf8.eml"), env)

    assert result.returncode == 75, result.stderr.decode()[-2000:]
    assert b"try again later" in result.stderr


def test_the_real_command_takes_mail_and_exits_0(tmp_path: Path) -> None:
    env = {**os.environ, "SIGAP_DATA_DIR": str(tmp_path)}
    env.pop("SIGAP_DATABASE_URL", None)
    migrated = _sigap(["migrate", "--verbosity=0"], b"", env)
    assert migrated.returncode == 0, migrated.stderr.decode()[-2000:]

    first = _sigap(["ingest-email"], eml("latin1-qp.eml"), env)
    again = _sigap(["ingest-email"], eml("latin1-qp.eml"), env)
    garbage = _sigap(["ingest-email"], eml("garbage.eml"), env)

    assert first.returncode == 0, first.stderr.decode()[-2000:]
    assert first.stdout.decode().startswith("ticket_created ")
    assert again.returncode == 0
    assert again.stdout == first.stdout
    assert garbage.returncode == 0
    assert garbage.stdout.decode().startswith("quarantined ")
