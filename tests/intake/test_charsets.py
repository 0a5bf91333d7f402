"""Indonesian customers' mail arrives in every encoding; the agent reads it as it was written."""

from __future__ import annotations

from sigap.intake.models import InboundStatus, Mailbox
from sigap.intake.services import email_ingest
from sigap.tickets.models import Channel
from tests.intake.conftest import eml


def test_plain_utf8_mail_opens_a_ticket_for_the_sender(mailbox: Mailbox) -> None:
    inbound = email_ingest(raw=eml("plain-utf8.eml"), mailbox=mailbox)

    assert inbound.status == InboundStatus.TICKET_CREATED
    ticket = inbound.ticket
    assert ticket is not None
    assert ticket.subject == "Pesanan #INV-2025-0311 belum sampai"
    assert ticket.channel == Channel.EMAIL
    assert ticket.team == mailbox.team
    assert ticket.customer.name == "Siti Rahma"
    assert ticket.identity is not None
    assert ticket.identity.value == "siti.rahma@contoh.co.id"
    message = ticket.messages.get()
    assert "“dalam perjalanan”" in message.body_text
    assert "terima kasih 🙏" in message.body_text
    assert message.body_html is None
    assert message.external_id == "<CAF3kT9x-plain-utf8-0001@mail.contoh.co.id>"


def test_iso_8859_1_quoted_printable_is_decoded(mailbox: Mailbox) -> None:
    inbound = email_ingest(raw=eml("latin1-qp.eml"), mailbox=mailbox)

    assert inbound.ticket is not None
    assert inbound.ticket.subject == "Kopi Café Sumatra rusak"
    body = inbound.ticket.messages.get().body_text
    assert "Café Sumatra" in body
    assert "75.000 ± ongkir" in body
    # Outlook's curly quotes in mail labelled ISO-8859-1 are Windows-1252, as browsers read them.
    assert "“segera”" in body
    assert "René Halim" in body


def test_windows_1252_base64_with_encoded_subject_and_sender_name(mailbox: Mailbox) -> None:
    inbound = email_ingest(raw=eml("cp1252-base64.eml"), mailbox=mailbox)

    ticket = inbound.ticket
    assert ticket is not None
    assert ticket.subject == "Ukuran salah – mohon tukar “L”"
    assert ticket.customer.name == "André Wijaya"
    body = ticket.messages.get().body_text
    assert "tidak sesuai pesanan – saya pesan ukuran L" in body
    assert "€25" in body
    assert "“kartu luar negeri”" in body


def test_html_only_mail_is_sanitised_and_read_as_text(mailbox: Mailbox) -> None:
    inbound = email_ingest(raw=eml("html-only-script.eml"), mailbox=mailbox)

    assert inbound.ticket is not None
    message = inbound.ticket.messages.get()
    assert [line for line in message.body_text.splitlines() if line][:3] == [
        "Halo Tim CS,",
        "Kurir melempar paket saya ke pagar.",
        "Isinya pecah.",
    ]
    assert "document.cookie" not in message.body_text
    assert "color: red" not in message.body_text
    html = message.body_html or ""
    assert "<b>melempar</b>" in html
    for dangerous in ("<script", "document.cookie", "onload", "javascript:", "tracker.example"):
        assert dangerous not in html
    assert 'href="https://tokoku.example/pesanan/88"' in html
