"""Our replies carry In-Reply-To and References, so the customer's mail client threads them,
and the customer's answer to them comes back onto the same ticket."""

from __future__ import annotations

from typing import Any

from django.core import mail

from sigap.accounts.models import User
from sigap.core import clock
from sigap.core.jobs import job_enqueue, run_due_jobs
from sigap.intake.models import InboundStatus, Mailbox
from sigap.intake.services import email_ingest
from sigap.tickets.models import DeliveryStatus, Direction, Message, Ticket
from sigap.tickets.services import ticket_reply
from tests.intake.conftest import eml
from tests.smtp import smtp_server

FIRST = "<CAF3kT9x-plain-utf8-0001@mail.contoh.co.id>"


def _answer(to_id: str, references: str) -> bytes:
    return (
        "From: Siti Rahma <siti.rahma@contoh.co.id>\r\n"
        "To: cs@tokoku.example\r\n"
        "Subject: Re: Pesanan belum sampai\r\n"
        "Message-ID: <CAF3kT9x-answer-0002@mail.contoh.co.id>\r\n"
        f"In-Reply-To: {to_id}\r\n"
        f"References: {references}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Baik, saya tunggu kabarnya.\r\n"
    ).encode()


def test_replies_thread_in_the_customers_mail_client(
    mailbox: Mailbox, agent: User, settings: Any
) -> None:
    mailbox.team.email = "cs@tokoku.example"
    mailbox.team.save()
    ticket = email_ingest(raw=eml("plain-utf8.eml"), mailbox=mailbox).ticket
    assert ticket is not None
    with smtp_server() as (port, received):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port

        ticket_reply(ticket=ticket, by=agent, body="Kami cek ke kurir dulu ya.")
        assert run_due_jobs() == 1
        first_reply = received.messages[0]
        assert first_reply["From"] == "cs@tokoku.example"
        assert first_reply["In-Reply-To"] == FIRST
        assert first_reply["References"] == FIRST
        assert first_reply["Auto-Submitted"] == "no"
        our_id = first_reply["Message-ID"]

        answer = email_ingest(raw=_answer(our_id, f"{FIRST} {our_id}"), mailbox=mailbox)
        assert answer.status == InboundStatus.APPENDED
        assert answer.ticket == ticket

        ticket_reply(ticket=ticket, by=agent, body="Paket sudah di kurir, besar sampai.")
        assert run_due_jobs() == 1
        second_reply = received.messages[1]

    answer_id = "<CAF3kT9x-answer-0002@mail.contoh.co.id>"
    assert second_reply["In-Reply-To"] == answer_id
    assert second_reply["References"].split() == [FIRST, our_id, answer_id]
    assert second_reply["Message-ID"] != our_id
    assert Ticket.objects.count() == 1


def test_a_notice_the_desk_sends_by_itself_is_marked_automatic(mailbox: Mailbox) -> None:
    ticket = email_ingest(raw=eml("plain-utf8.eml"), mailbox=mailbox).ticket
    assert ticket is not None
    notice = Message.objects.create(
        ticket=ticket,
        direction=Direction.OUTBOUND,
        channel=ticket.channel,
        body_text="Laporan Anda sudah kami terima.",
        delivery_status=DeliveryStatus.QUEUED,
        created_at=clock.now(),
    )
    job_enqueue(kind="deliver_message", payload={"message": notice.pk})

    run_due_jobs()

    headers = mail.outbox[0].extra_headers
    # Another desk's robot must not answer it, or two desks would write to each other for ever.
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["X-Auto-Response-Suppress"] == "All"
    assert headers["In-Reply-To"] == FIRST
