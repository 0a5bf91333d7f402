"""Polling a real IMAP server (a private Dovecot): mail becomes tickets and is moved away once;
a second pass, or a pass after a crash between taking and moving, adds nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError
from imapclient import IMAPClient

from sigap.core import clock
from sigap.core.jobs import run_due_jobs
from sigap.intake import imap as imap_module
from sigap.intake.imap import imap_poll, mailbox_poll_recorded, mailboxes_poll_due
from sigap.intake.models import InboundEmail, InboundStatus, Mailbox
from sigap.intake.services import email_ingest
from sigap.tickets.models import Message, Ticket
from tests.intake.conftest import eml
from tests.intake.dovecot import PASSWORD, USER, Dovecot, dovecot_server

PASSWORD_ENV = "SIGAP_TEST_MAILBOX_PASSWORD"


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with dovecot_server() as server:
        yield server


@pytest.fixture
def imap_mailbox(mailbox: Mailbox, dovecot: Dovecot, monkeypatch: Any) -> Mailbox:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    mailbox.imap_host = "127.0.0.1"
    mailbox.imap_port = dovecot.port
    mailbox.imap_ssl = False
    mailbox.imap_username = USER
    mailbox.password_env = PASSWORD_ENV
    mailbox.save()
    return mailbox


def _count(dovecot: Dovecot, folder: str) -> int:
    with IMAPClient("127.0.0.1", port=dovecot.port, ssl=False) as client:
        client.login(USER, PASSWORD)
        if not client.folder_exists(folder):
            return 0
        return int(client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])


def test_poll_makes_tickets_moves_mail_and_a_second_pass_adds_nothing(
    imap_mailbox: Mailbox, dovecot: Dovecot
) -> None:
    for name in ("plain-utf8.eml", "cp1252-base64.eml", "garbage.eml", "auto-replied.eml"):
        dovecot.deliver(eml(name))

    result = imap_poll(imap_mailbox)

    assert dict(result.statuses) == {
        InboundStatus.TICKET_CREATED: 2,
        InboundStatus.QUARANTINED: 1,
        InboundStatus.AUTO_REPLY: 1,
    }, dovecot.log()
    assert Ticket.objects.filter(team=imap_mailbox.team).count() == 2
    assert _count(dovecot, "INBOX") == 0
    assert _count(dovecot, "Sigap-Processed") == 4

    again = imap_poll(imap_mailbox)

    assert again.taken == 0
    assert Ticket.objects.count() == 2
    assert InboundEmail.objects.count() == 4


def test_a_crash_between_taking_and_moving_does_not_duplicate(
    imap_mailbox: Mailbox, dovecot: Dovecot
) -> None:
    dovecot.deliver(eml("plain-utf8.eml"))
    # The previous pass took the message in, then died before moving it.
    email_ingest(raw=eml("plain-utf8.eml"), mailbox=imap_mailbox)

    imap_poll(imap_mailbox)

    assert Message.objects.count() == 1
    assert InboundEmail.objects.count() == 1
    assert _count(dovecot, "INBOX") == 0
    assert _count(dovecot, "Sigap-Processed") == 1


def test_a_message_the_database_refuses_stays_for_the_next_pass_and_the_rest_go_through(
    imap_mailbox: Mailbox, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("plain-utf8.eml", "cp1252-base64.eml", "auto-replied.eml"):
        dovecot.deliver(eml(name))
    real = imap_module.email_ingest
    refused = eml("cp1252-base64.eml")

    def flaky(*, raw: bytes, mailbox: Mailbox | None) -> InboundEmail:
        # The database fails on this one message, as on a lost connection: email_ingest raises.
        if raw.replace(b"\r\n", b"\n") == refused.replace(b"\r\n", b"\n"):
            raise OperationalError("server closed the connection unexpectedly")
        return real(raw=raw, mailbox=mailbox)

    monkeypatch.setattr(imap_module, "email_ingest", flaky)
    result = imap_poll(imap_mailbox)

    # The batch failed as a whole, so each message was tried alone: two taken, one left.
    assert result.taken == 2
    assert InboundEmail.objects.count() == 2
    assert _count(dovecot, "INBOX") == 1
    assert _count(dovecot, "Sigap-Processed") == 2

    monkeypatch.setattr(imap_module, "email_ingest", real)
    assert imap_poll(imap_mailbox).statuses == {InboundStatus.TICKET_CREATED: 1}
    assert _count(dovecot, "INBOX") == 0
    assert Ticket.objects.count() == 2


def test_the_job_runner_polls_each_mailbox_when_it_is_due(
    imap_mailbox: Mailbox, dovecot: Dovecot, settings: Any
) -> None:
    settings.MAIL_POLL_SECONDS = 60
    dovecot.deliver(eml("plain-utf8.eml"))

    run_due_jobs()

    assert Ticket.objects.count() == 1
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_poll_error == ""
    assert imap_mailbox.next_poll_at is not None
    dovecot.deliver(eml("latin1-qp.eml"))
    assert mailboxes_poll_due() == 0  # not due again for a minute
    with clock.frozen(imap_mailbox.next_poll_at + timedelta(seconds=1)):
        assert mailboxes_poll_due() == 1
    assert Ticket.objects.count() == 2


def test_poll_mail_command_reports_each_mailbox(imap_mailbox: Mailbox, dovecot: Dovecot) -> None:
    dovecot.deliver(eml("plain-utf8.eml"))
    out = io.StringIO()

    call_command("poll_mail", stdout=out)

    assert out.getvalue().strip() == "[1/1] cs: 1 message(s) (1 ticket_created)"


def test_a_missing_password_variable_is_recorded_on_the_mailbox(
    mailbox: Mailbox, monkeypatch: Any
) -> None:
    monkeypatch.delenv("SIGAP_NO_SUCH_PASSWORD", raising=False)
    mailbox.imap_host = "127.0.0.1"
    mailbox.password_env = "SIGAP_NO_SUCH_PASSWORD"
    mailbox.save()

    result = mailbox_poll_recorded(mailbox)

    mailbox.refresh_from_db()
    assert result.error == (
        "MailboxConfigurationError: The environment variable SIGAP_NO_SUCH_PASSWORD is not set."
    )
    assert mailbox.last_poll_error == result.error
    assert mailbox.last_polled_at is not None
