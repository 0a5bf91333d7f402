"""A sender who keeps writing is noticed from their first mail on: the standard policy sends
the third new conversation in thirty days straight to the supervisor."""

from __future__ import annotations

from email.message import EmailMessage

from sigap.intake.models import InboundStatus, Mailbox
from sigap.intake.services import email_ingest
from sigap.sla.services import current_level
from sigap.tickets.events import EventKind
from sigap.tickets.models import Ticket, TicketEvent


def _mail(number: int) -> bytes:
    message = EmailMessage()
    message["From"] = "Rina Baru <rina.baru@contoh.co.id>"
    message["To"] = "cs@tokoku.example"
    message["Subject"] = f"Pesanan ke-{number} belum sampai"
    message["Message-ID"] = f"<pesanan-{number}@contoh.co.id>"
    message.set_content(f"Pesanan nomor {number} saya belum sampai juga.")
    return message.as_bytes()


def test_a_new_senders_third_conversation_goes_to_the_supervisor(mailbox: Mailbox) -> None:
    taken = [email_ingest(raw=_mail(number), mailbox=mailbox) for number in (1, 2, 3)]

    assert [inbound.status for inbound in taken] == [InboundStatus.TICKET_CREATED] * 3
    tickets = [inbound.ticket for inbound in taken]
    assert all(isinstance(ticket, Ticket) for ticket in tickets)
    assert len({ticket.customer_id for ticket in tickets if ticket is not None}) == 1
    assert [current_level(ticket) for ticket in tickets if ticket is not None] == [1, 1, 2]
    escalated = TicketEvent.objects.get(kind=EventKind.TICKET_ESCALATED)
    assert escalated.ticket == tickets[2]
    assert escalated.data["reason"] == "This is contact number 3 from this customer in 30 days."
