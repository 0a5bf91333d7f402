"""The same message taken twice is one message: MTAs retry and IMAP passes can repeat."""

from __future__ import annotations

from sigap.accounts.models import Team
from sigap.intake.models import InboundEmail, InboundStatus, Mailbox
from sigap.intake.services import email_ingest
from sigap.tickets.models import Message, Ticket
from tests.intake.conftest import eml


def test_the_same_message_id_twice_makes_one_message(mailbox: Mailbox) -> None:
    first = email_ingest(raw=eml("plain-utf8.eml"), mailbox=mailbox)
    again = email_ingest(raw=eml("plain-utf8.eml"), mailbox=mailbox)

    assert again.pk == first.pk
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1


def test_piped_mail_without_a_mailbox_is_also_taken_once(db: None) -> None:
    first = email_ingest(raw=eml("plain-utf8.eml"), mailbox=None)
    again = email_ingest(raw=eml("plain-utf8.eml"), mailbox=None)

    assert again.pk == first.pk
    assert first.ticket is not None
    assert first.ticket.team is None
    assert Message.objects.count() == 1


def test_mail_without_a_message_id_is_recognised_by_its_bytes(mailbox: Mailbox) -> None:
    raw = b"From: Siti <siti@contoh.co.id>\r\nSubject: tanpa id\r\n\r\nHalo\r\n"

    first = email_ingest(raw=raw, mailbox=mailbox)
    again = email_ingest(raw=raw, mailbox=mailbox)

    assert first.message_id.startswith("<sha256-")
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1


def test_one_mail_sent_to_two_of_our_mailboxes_is_one_conversation(
    mailbox: Mailbox, team_b: Team
) -> None:
    sales = Mailbox.objects.create(name="sales", team=team_b)

    first = email_ingest(raw=eml("plain-utf8.eml"), mailbox=mailbox)
    copy = email_ingest(raw=eml("plain-utf8.eml"), mailbox=sales)

    assert copy.pk != first.pk
    assert copy.status == InboundStatus.DUPLICATE
    assert copy.ticket == first.ticket
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1
