"""A customer with everything a desk holds about someone: addresses, mail, files, a survey."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from sigap.accounts.models import Team, User
from sigap.core import clock
from sigap.customers.models import Customer, IdentityKind
from sigap.customers.services import IdentityInput, identity_add
from sigap.feedback.models import Survey, SurveyKind
from sigap.intake.models import Mailbox
from sigap.intake.services import email_ingest
from sigap.tickets.models import Ticket
from sigap.tickets.services import ticket_receive, ticket_reply
from tests.trust.conftest import mail_with_files

NAME = "Ani Wulandari"
EMAIL = "ani.wulandari@pelanggan.example"
PHONE = "+6281234567890"
FIRST_TEXT = "Paket nomor 7781 datang pecah, tolong diganti."
SECOND_TEXT = "Alamat saya Jalan Melati 12, Bandung."
COMMENT = "Pelayanan Ani sangat dibantu, terima kasih."
FILE = b"%PDF-1.4 receipt of order 7781\n"


@pytest.fixture(autouse=True)
def attachments_dir(settings: Any, tmp_path: Path) -> Path:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return Path(settings.ATTACHMENTS_DIR)


@pytest.fixture
def held(team_a: Team, agent: User) -> Ticket:
    """Ani's ticket: her mail with a file, an agent's answer naming her, her reply, a survey."""
    mailbox = Mailbox.objects.create(name="cs", team=team_a)
    raw = mail_with_files(
        [("struk.pdf", "application/pdf", FILE)],
        sender=EMAIL,
        subject="Pesanan 7781 rusak",
        body=FIRST_TEXT,
    ).replace(b"From: Ani <", f"From: {NAME} <".encode())
    inbound = email_ingest(raw=raw, mailbox=mailbox)
    ticket = inbound.ticket
    assert ticket is not None, inbound.detail
    customer = ticket.customer
    identity_add(by=None, customer=customer, identity=IdentityInput(IdentityKind.PHONE, PHONE))
    ticket.assignee = agent
    ticket.save(update_fields=["assignee"])
    ticket_reply(ticket=ticket, by=agent, body=f"Halo {NAME}, kami kirim pengganti ke {EMAIL}.")
    ticket_receive(ticket=ticket, customer=customer, body=SECOND_TEXT)
    now = clock.now()
    Survey.objects.create(
        ticket=ticket,
        kind=SurveyKind.CSAT,
        sent_at=now,
        expires_at=now + timedelta(days=7),
        score=4,
        comment=COMMENT,
        answered_at=now,
        channel="email",
    )
    ticket.refresh_from_db()
    return ticket


def held_customer(ticket: Ticket) -> Customer:
    return Customer.objects.get(pk=ticket.customer_id)
