"""Auto-replies and bounces are recorded but never make tickets or answers: no mail loops."""

from __future__ import annotations

import pytest
from django.core import mail

from sigap.accounts.models import User
from sigap.core.jobs import run_due_jobs
from sigap.core.models import Job
from sigap.intake.models import InboundEmail, InboundStatus, Mailbox
from sigap.intake.services import email_ingest
from sigap.tickets.models import Message, Ticket
from sigap.tickets.services import ticket_reply
from tests.intake.conftest import eml


@pytest.mark.parametrize(
    ("fixture", "status", "reason"),
    [
        ("auto-replied.eml", InboundStatus.AUTO_REPLY, "Auto-Submitted: auto-replied"),
        ("precedence-bulk.eml", InboundStatus.AUTO_REPLY, "Precedence: bulk"),
        ("dsn-bounce.eml", InboundStatus.BOUNCE, "Content-Type: multipart/report"),
        ("empty-return-path.eml", InboundStatus.BOUNCE, "Return-Path: <>"),
    ],
)
def test_automatic_mail_is_recorded_and_never_answered(
    mailbox: Mailbox, fixture: str, status: str, reason: str
) -> None:
    inbound = email_ingest(raw=eml(fixture), mailbox=mailbox)

    assert inbound.status == status
    assert inbound.detail == reason
    assert inbound.ticket is None
    assert bytes(InboundEmail.objects.get().raw) == eml(fixture)
    assert not Ticket.objects.exists()
    assert not Message.objects.exists()
    assert not Job.objects.exists()
    run_due_jobs()
    assert mail.outbox == []


def test_an_auto_reply_naming_a_ticket_does_not_reopen_it(mailbox: Mailbox) -> None:
    first = email_ingest(raw=eml("plain-utf8.eml"), mailbox=mailbox)
    assert first.ticket is not None

    inbound = email_ingest(
        raw=eml("auto-replied.eml", **{"SGP-000000": first.ticket.reference}), mailbox=mailbox
    )

    assert inbound.status == InboundStatus.AUTO_REPLY
    assert first.ticket.messages.count() == 1


def test_an_empty_envelope_sender_from_the_mta_marks_a_bounce(mailbox: Mailbox) -> None:
    inbound = email_ingest(raw=eml("plain-utf8.eml"), mailbox=mailbox, envelope_sender="")

    assert inbound.status == InboundStatus.BOUNCE
    assert not Ticket.objects.exists()


def test_our_own_reply_coming_back_is_not_taken_as_the_customers(
    mailbox: Mailbox, agent: User
) -> None:
    first = email_ingest(raw=eml("plain-utf8.eml"), mailbox=mailbox)
    assert first.ticket is not None
    ticket_reply(ticket=first.ticket, by=agent, body="Kami cek ke kurir dulu ya.")
    run_due_jobs()
    # A forwarding rule or a misrouted copy delivers our reply to our own mailbox.
    ours = mail.outbox[0].message().as_bytes()

    inbound = email_ingest(raw=ours, mailbox=mailbox)

    assert inbound.status == InboundStatus.AUTO_REPLY
    assert inbound.detail == "sent by this desk"
    assert first.ticket.messages.count() == 2
