"""MISSION.md §B on the desk, end to end: a customer mails about a damaged product, the agent
replies from the template within the hour, the customer's photo completes the request for
evidence, the agent verifies, the customer chooses refund, replacement or repair, the branch
is done within its 24 or 48 hours, the ticket is resolved, and the follow-up is due two days
later; the executor reports a missed follow-up once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import time_machine

from sigap.accounts.models import Team, User
from sigap.intake.models import Mailbox
from sigap.intake.services import email_ingest
from sigap.sops.firing import sop_fire_due
from sigap.sops.models import SopVersion, StepState, StepStatus
from sigap.sops.selectors import ticket_checklist
from sigap.sops.services import current_run, sop_reply_for_step, sop_step_complete
from sigap.tickets.events import EventKind
from sigap.tickets.models import Status, Ticket
from sigap.tickets.services import ticket_change_status

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
PHOTO = bytes.fromhex("ffd8ffe000104a46494600010101004800480000ffd9")
BRANCHES = {"refund": ("refund", 24), "replacement": ("ship-replacement", 48)}
BRANCHES["repair"] = ("send-to-repair", 24)


@pytest.fixture(autouse=True)
def _mail_and_files(settings: Any, tmp_path: Path) -> None:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _mail(subject: str, body: str, number: int, *, photo: bool = False) -> bytes:
    message = EmailMessage()
    message["From"] = "Rina Wijaya <rina@contoh.co.id>"
    message["To"] = "cs@tokoku.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<damaged-{number}@contoh.co.id>"
    message.set_content(body)
    if photo:
        message.add_attachment(
            b"\xff\xd8\xff\xd9", maintype="image", subtype="jpeg", filename="a.jpg"
        )
    return message.as_bytes()


def _steps(ticket: Ticket) -> dict[str, StepState]:
    run = current_run(ticket)
    assert run is not None
    return {s.step_id: s for s in run.steps.all()}


@pytest.mark.parametrize("choice", ["refund", "replacement", "repair"])
def test_the_damaged_product_case_runs_through_each_branch(
    damaged_product: SopVersion, team_a: Team, agent: User, supervisor: User, choice: str
) -> None:
    mailbox = Mailbox.objects.create(name="cs", team=team_a)
    with time_machine.travel(T0, tick=False) as clock:
        inbound = email_ingest(
            raw=_mail("Vas bunga pecah", "Paket datang, vasnya pecah.", 1), mailbox=mailbox
        )
        ticket = inbound.ticket
        assert ticket is not None
        assert _steps(ticket)["acknowledge"].deadline_at == T0 + HOUR

        clock.shift(timedelta(minutes=40))
        checklist = ticket_checklist(ticket, agent)
        assert checklist is not None
        template = checklist.step("acknowledge")
        assert template is not None
        sop_reply_for_step(
            ticket=ticket, step_id="acknowledge", by=agent, body=template.template_text
        )
        assert _steps(ticket)["ask-evidence"].deadline_at == T0 + HOUR

        clock.shift(timedelta(minutes=10))
        email_ingest(
            raw=_mail(f"Re: [{ticket.reference}] Vas bunga pecah", "Ini fotonya.", 2, photo=True),
            mailbox=mailbox,
        )
        steps = _steps(ticket)
        assert steps["ask-evidence"].status == StepStatus.DONE
        assert steps["verify"].deadline_at == T0 + timedelta(minutes=50) + 4 * HOUR

        clock.shift(timedelta(minutes=30))
        sop_step_complete(ticket=ticket, step_id="verify", by=agent, note="Retak di dasar vas")
        clock.shift(timedelta(minutes=30))
        decided_at = T0 + timedelta(minutes=110)
        sop_step_complete(ticket=ticket, step_id="resolution", by=agent, outcome=choice)

        branch, hours = BRANCHES[choice]
        steps = _steps(ticket)
        assert steps[branch].status == StepStatus.OPEN
        assert steps[branch].deadline_at == decided_at + hours * HOUR
        others = {b for b, _h in BRANCHES.values()} - {branch}
        assert {steps[b].status for b in others} == {StepStatus.SKIPPED}

        clock.shift(hours * HOUR - HOUR)
        if choice == "refund":
            sop_step_complete(
                ticket=ticket,
                step_id=branch,
                by=supervisor,
                outcome="approved",
                amount=Decimal(750_000),
            )
        else:
            sop_step_complete(ticket=ticket, step_id=branch, by=agent)
        ticket_change_status(ticket=ticket, by=agent, status=Status.RESOLVED)
        resolved_at = decided_at + hours * HOUR - HOUR
        assert _steps(ticket)["follow-up"].deadline_at == resolved_at + timedelta(days=2)

    missed = resolved_at + timedelta(days=2, minutes=1)
    sop_fire_due(now=missed)
    sop_fire_due(now=missed)

    overdue = ticket.events.filter(kind=EventKind.SOP_STEP_OVERDUE)
    assert [e.data["step"] for e in overdue] == ["follow-up"]
