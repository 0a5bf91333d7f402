"""Headers set ticket fields only on a mailbox marked trusted (fed by our own systems)."""

from __future__ import annotations

from sigap.intake.models import Mailbox
from sigap.intake.services import email_ingest
from sigap.tickets.models import Priority
from tests.factories import make_category

RAW = (
    b"From: Formulir Web <siti@contoh.co.id>\r\n"
    b"Subject: Pesan dari formulir\r\n"
    b"Message-ID: <form-1@tokoku.example>\r\n"
    b"X-Sigap-Priority: urgent\r\n"
    b"X-Sigap-Category: pengiriman\r\n\r\n"
    b"Paket belum sampai.\r\n"
)


def test_an_ordinary_mailbox_ignores_ticket_field_headers(mailbox: Mailbox) -> None:
    make_category("Pengiriman")

    inbound = email_ingest(raw=RAW, mailbox=mailbox)

    assert inbound.ticket is not None
    assert inbound.ticket.priority == Priority.NORMAL
    assert inbound.ticket.category is None


def test_a_trusted_mailbox_takes_priority_and_category_from_headers(mailbox: Mailbox) -> None:
    category = make_category("Pengiriman")
    mailbox.is_trusted = True
    mailbox.save()

    inbound = email_ingest(raw=RAW, mailbox=mailbox)

    assert inbound.ticket is not None
    assert inbound.ticket.priority == Priority.URGENT
    assert inbound.ticket.category == category
