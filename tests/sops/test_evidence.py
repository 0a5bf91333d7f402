"""A request_evidence step is done when the customer sends a file; the checklist shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from sigap.accounts.models import Team, User
from sigap.accounts.services import token_create
from sigap.customers.models import Customer
from sigap.intake.models import Mailbox
from sigap.intake.services import email_ingest
from sigap.sops.models import SopVersion, StepState, StepStatus
from sigap.sops.services import current_run, sop_step_complete
from sigap.tickets.events import EventKind
from sigap.tickets.models import Attachment, Ticket
from tests.factories import make_customer, make_ticket

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
PHOTO = bytes.fromhex("ffd8ffe000104a46494600010101004800480000ffd9")


@pytest.fixture(autouse=True)
def _attachments_dir(settings: Any, tmp_path: Path) -> None:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"


@pytest.fixture
def mailbox(team_a: Team) -> Mailbox:
    return Mailbox.objects.create(name="cs", team=team_a)


@pytest.fixture
def customer(db: None) -> Customer:
    return make_customer("Dewi Lestari", email="dewi@contoh.co.id")


def _mail(subject: str, body: str, *, photo: bool, number: int) -> bytes:
    message = EmailMessage()
    message["From"] = "Dewi Lestari <dewi@contoh.co.id>"
    message["To"] = "cs@tokoku.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<evidence-{number}@contoh.co.id>"
    message.set_content(body)
    if photo:
        message.add_attachment(PHOTO, maintype="image", subtype="jpeg", filename="vas pecah.jpg")
    return message.as_bytes()


def _state(ticket: Ticket, step_id: str) -> StepState:
    run = current_run(ticket)
    assert run is not None
    return run.steps.select_related("evidence").get(step_id=step_id)


def _acknowledged(team: Team, customer: Customer, agent: User) -> Ticket:
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(team=team, customer=customer, subject="Vas pecah", body="Rusak.")
        sop_step_complete(ticket=ticket, step_id="acknowledge", by=agent)
    return ticket


def test_a_photo_in_the_customers_reply_completes_the_evidence_step(
    damaged_product: SopVersion, team_a: Team, agent: User, customer: Customer, mailbox: Mailbox
) -> None:
    ticket = _acknowledged(team_a, customer, agent)
    assert _state(ticket, "ask-evidence").status == StepStatus.OPEN

    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        email_ingest(
            raw=_mail(f"Re: [{ticket.reference}] Vas pecah", "Ini fotonya.", photo=True, number=1),
            mailbox=mailbox,
        )

    evidence = _state(ticket, "ask-evidence")
    photo = Attachment.objects.get(message__ticket=ticket)
    assert evidence.status == StepStatus.DONE
    assert evidence.evidence == photo
    assert evidence.completed_at == T0 + timedelta(minutes=30)
    assert evidence.completed_by is None
    # The run moves on: verifying is due four hours after the evidence came.
    assert _state(ticket, "verify").deadline_at == T0 + timedelta(hours=4, minutes=30)
    event = ticket.events.filter(kind=EventKind.SOP_STEP_COMPLETED).latest("id")
    assert event.actor_customer == customer
    assert event.data["step"] == "ask-evidence"
    assert event.data["evidence"] == "vas pecah.jpg"


def test_a_reply_without_a_file_leaves_the_step_open(
    damaged_product: SopVersion, team_a: Team, agent: User, customer: Customer, mailbox: Mailbox
) -> None:
    ticket = _acknowledged(team_a, customer, agent)

    email_ingest(
        raw=_mail(f"Re: [{ticket.reference}] Vas pecah", "Sebentar ya.", photo=False, number=2),
        mailbox=mailbox,
    )

    state = _state(ticket, "ask-evidence")
    assert state.status == StepStatus.OPEN
    assert state.evidence is None


def test_a_photo_sent_with_the_first_mail_counts_as_soon_as_the_step_opens(
    damaged_product: SopVersion, agent: User, customer: Customer, mailbox: Mailbox
) -> None:
    with time_machine.travel(T0, tick=False):
        inbound = email_ingest(
            raw=_mail("Vas pecah", "Barang datang rusak, foto terlampir.", photo=True, number=3),
            mailbox=mailbox,
        )
    ticket = inbound.ticket
    assert ticket is not None
    waiting = _state(ticket, "ask-evidence")
    assert waiting.status == StepStatus.BLOCKED
    assert waiting.evidence is not None

    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        sop_step_complete(ticket=ticket, step_id="acknowledge", by=agent)

    done = _state(ticket, "ask-evidence")
    assert done.status == StepStatus.DONE
    assert done.completed_at == T0 + timedelta(minutes=20)
    assert _state(ticket, "verify").status == StepStatus.OPEN


def test_the_checklist_shows_the_evidence_received(
    damaged_product: SopVersion,
    team_a: Team,
    agent: User,
    customer: Customer,
    mailbox: Mailbox,
    client: Client,
) -> None:
    ticket = _acknowledged(team_a, customer, agent)
    email_ingest(
        raw=_mail(f"Re: [{ticket.reference}] Vas pecah", "Ini fotonya.", photo=True, number=4),
        mailbox=mailbox,
    )
    client.force_login(agent)

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()

    panel = page[page.index('id="step-ask-evidence"') :]
    panel = panel[: panel.index("</li>")]
    assert "Evidence received" in panel
    assert "vas pecah.jpg" in panel


def test_the_api_shows_which_file_satisfied_the_step(
    damaged_product: SopVersion, team_a: Team, agent: User, customer: Customer, mailbox: Mailbox
) -> None:
    ticket = _acknowledged(team_a, customer, agent)
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        email_ingest(
            raw=_mail(f"Re: [{ticket.reference}] Vas pecah", "Ini fotonya.", photo=True, number=5),
            mailbox=mailbox,
        )
    token = token_create(user=agent, name="test").token
    api = Client(headers={"Authorization": f"Bearer {token}"})

    steps = {s["id"]: s for s in api.get(f"/api/tickets/{ticket.pk}/sop").json()["steps"]}

    photo = Attachment.objects.get(message__ticket=ticket)
    assert steps["ask-evidence"]["status"] == "done"
    assert steps["ask-evidence"]["evidence"] == {
        "attachment": photo.pk,
        "filename": "vas pecah.jpg",
        "content_type": "image/jpeg",
        "size": len(PHOTO),
        "received_at": "2026-11-23T03:30:00Z",
    }
    assert steps["verify"]["evidence"] is None


def test_a_second_photo_does_not_complete_the_step_again(
    damaged_product: SopVersion, team_a: Team, agent: User, customer: Customer, mailbox: Mailbox
) -> None:
    ticket = _acknowledged(team_a, customer, agent)
    for number in (6, 7):
        email_ingest(
            raw=_mail(f"Re: [{ticket.reference}] Vas pecah", "Foto.", photo=True, number=number),
            mailbox=mailbox,
        )

    first = Attachment.objects.filter(message__ticket=ticket).order_by("pk").first()
    assert _state(ticket, "ask-evidence").evidence == first
    completions = ticket.events.filter(kind=EventKind.SOP_STEP_COMPLETED, data__step="ask-evidence")
    assert completions.count() == 1
