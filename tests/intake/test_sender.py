"""Who wrote the mail is taken from From, in bounded time, and never from Reply-To."""

from __future__ import annotations

from sigap.customers.models import CustomerIdentity
from sigap.intake.models import InboundStatus, Mailbox
from sigap.intake.services import email_ingest
from sigap.tickets.models import Ticket
from tests.intake.conftest import eml, no_hang


def test_reply_to_does_not_change_who_the_customer_is(mailbox: Mailbox) -> None:
    inbound = email_ingest(raw=eml("reply-to-differs.eml"), mailbox=mailbox)

    assert inbound.ticket is not None
    assert inbound.ticket.customer.name == "Rudi Hartono"
    assert inbound.from_address == "rudi.hartono@contoh.id"
    assert not CustomerIdentity.objects.filter(value="penagih@contoh-lain.example").exists()


def test_mail_from_an_existing_customer_finds_them_whatever_the_case(mailbox: Mailbox) -> None:
    first = email_ingest(raw=eml("plain-utf8.eml"), mailbox=mailbox)
    second = email_ingest(raw=eml("reply-subject-reference.eml"), mailbox=mailbox)

    assert first.ticket is not None
    assert second.ticket is not None
    assert second.ticket.customer == first.ticket.customer


def test_a_50000_character_from_header_is_refused_without_hanging(mailbox: Mailbox) -> None:
    nested = "(" * 25_000 + '"\\' * 12_500
    raw = (
        f"From: {nested}<attacker@contoh.biz>\r\n"
        "To: cs@tokoku.example\r\n"
        "Subject: pathological\r\n"
        "Message-ID: <pathological-from@contoh.biz>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nisi\r\n"
    ).encode()
    assert len(raw) > 50_000

    with no_hang():
        inbound = email_ingest(raw=raw, mailbox=mailbox)

    # No readable sender: kept for an admin, not guessed.
    assert inbound.status == InboundStatus.QUARANTINED
    assert "From" in inbound.error
    assert Ticket.objects.count() == 0


def test_pathological_content_type_parameters_are_read_without_hanging(
    mailbox: Mailbox,
) -> None:
    raw = (
        "From: Siti <siti@contoh.co.id>\r\n"
        "Subject: parameter\r\n"
        "Message-ID: <pathological-ct@contoh.co.id>\r\n"
        f"Content-Type: text/plain; charset=utf-8; {'a=(' * 20_000}\r\n\r\nisi pesan\r\n"
    ).encode()

    with no_hang():
        inbound = email_ingest(raw=raw, mailbox=mailbox)

    assert inbound.status == InboundStatus.TICKET_CREATED
