"""Replies land on the customer's ticket, found by mail headers or the reference in the subject;
nobody can write into another customer's ticket by quoting its number."""

from __future__ import annotations

from django.core import mail

from sigap.accounts.models import User
from sigap.core.jobs import run_due_jobs
from sigap.customers.models import Customer
from sigap.intake.models import InboundStatus, Mailbox
from sigap.intake.services import email_ingest
from sigap.tickets.models import Direction, Message, Status, Ticket
from sigap.tickets.services import ticket_change_status, ticket_reply
from tests.factories import make_customer, make_ticket
from tests.intake.conftest import eml


def _siti() -> Customer:
    return make_customer("Siti Rahma", email="siti.rahma@contoh.co.id")


def test_a_reply_to_our_mail_is_threaded_by_in_reply_to(mailbox: Mailbox, agent: User) -> None:
    ticket = make_ticket(team=mailbox.team, customer=_siti())
    reply = ticket_reply(ticket=ticket, by=agent, body="Mohon maaf, kami kirim pengganti.")
    run_due_jobs()
    sent_id = mail.outbox[0].extra_headers["Message-ID"]
    reply.refresh_from_db()
    assert reply.external_id == sent_id
    # The fixture answers a mail that a node called desk.tokoku.example sent.
    Message.objects.filter(pk=reply.pk).update(external_id="<sigap-41-97@desk.tokoku.example>")

    inbound = email_ingest(raw=eml("reply-in-reply-to.eml"), mailbox=mailbox)

    assert inbound.status == InboundStatus.APPENDED
    assert inbound.ticket == ticket
    ticket.refresh_from_db()
    assert ticket.message_count == 3
    last = ticket.messages.order_by("pk").last()
    assert last is not None
    assert last.direction == Direction.INBOUND
    assert last.body_text.startswith("Terima kasih, paket penggantinya sudah saya terima")
    assert Ticket.objects.count() == 1


def test_a_reply_is_threaded_by_the_reference_in_its_subject(mailbox: Mailbox) -> None:
    ticket = make_ticket(team=mailbox.team, customer=_siti())

    inbound = email_ingest(
        raw=eml("reply-subject-reference.eml", **{"SGP-000000": ticket.reference}),
        mailbox=mailbox,
    )

    assert inbound.status == InboundStatus.APPENDED
    assert inbound.ticket == ticket
    assert Ticket.objects.count() == 1


def test_another_customers_ticket_reference_starts_a_new_ticket(mailbox: Mailbox) -> None:
    ticket = make_ticket(team=mailbox.team, customer=_siti())

    inbound = email_ingest(
        raw=eml("stranger-reference.eml", **{"SGP-000000": ticket.reference}),
        mailbox=mailbox,
    )

    assert inbound.status == InboundStatus.TICKET_CREATED
    assert inbound.ticket != ticket
    assert ticket.messages.count() == 1
    assert inbound.ticket is not None
    assert inbound.ticket.customer.name == "Penipu"


def test_a_forged_in_reply_to_from_a_stranger_starts_a_new_ticket(mailbox: Mailbox) -> None:
    ticket = make_ticket(team=mailbox.team, customer=make_customer(email="lain@contoh.id"))
    first = ticket.messages.get()
    Message.objects.filter(pk=first.pk).update(external_id="<sigap-41-97@desk.tokoku.example>")

    inbound = email_ingest(raw=eml("reply-in-reply-to.eml"), mailbox=mailbox)

    assert inbound.status == InboundStatus.TICKET_CREATED
    assert ticket.messages.count() == 1


def test_a_reply_to_a_closed_ticket_starts_a_new_one(mailbox: Mailbox, agent: User) -> None:
    ticket = make_ticket(team=mailbox.team, customer=_siti())
    ticket_change_status(ticket=ticket, by=agent, status=Status.CLOSED)

    inbound = email_ingest(
        raw=eml("reply-subject-reference.eml", **{"SGP-000000": ticket.reference}),
        mailbox=mailbox,
    )

    assert inbound.status == InboundStatus.TICKET_CREATED
    assert inbound.ticket != ticket
    assert ticket.messages.count() == 1


def test_a_reply_to_a_resolved_ticket_opens_it_again(mailbox: Mailbox, agent: User) -> None:
    ticket = make_ticket(team=mailbox.team, customer=_siti())
    ticket_change_status(ticket=ticket, by=agent, status=Status.RESOLVED)

    inbound = email_ingest(
        raw=eml("reply-subject-reference.eml", **{"SGP-000000": ticket.reference}),
        mailbox=mailbox,
    )

    assert inbound.ticket == ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
