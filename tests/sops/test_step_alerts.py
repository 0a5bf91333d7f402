"""The executor warns before an SOP step's deadline and says once when it was missed: on the
timeline, by mail to whoever answers for the step (in their language), and live in the inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from sigap.accounts.models import Role, Team, User
from sigap.core.jobs import run_due_jobs
from sigap.sops.firing import sop_fire_due
from sigap.sops.loading import load_document
from sigap.sops.models import SopVersion, StepState
from sigap.sops.services import (
    current_run,
    sop_import,
    sop_publish,
    sop_step_complete,
    sop_switch,
)
from sigap.tickets.events import EventKind
from sigap.tickets.models import Ticket, TicketEvent
from tests.conftest import SOP_LIBRARY
from tests.factories import make_team, make_ticket, make_user

pytestmark = pytest.mark.django_db
DOCUMENT = load_document((SOP_LIBRARY / "damaged-product.yaml").read_text())
T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _mail_in_memory(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _report(team: Team, assignee: User | None = None) -> Ticket:
    with time_machine.travel(T0, tick=False):
        return make_ticket(
            team=team, subject="Vas pecah", body="Barang datang rusak.", assignee=assignee
        )


def _fired(kind: EventKind) -> list[tuple[int, str]]:
    return [
        (e.ticket_id, e.data["step"]) for e in TicketEvent.objects.filter(kind=kind).order_by("id")
    ]


def _sop_mail() -> list[Any]:
    """Mail about SOP steps (the response-time targets alert on their own), in any language."""
    titles = [
        text for step in DOCUMENT.steps for text in (step.title.get("id"), step.title.get("en"))
    ]
    return [m for m in mail.outbox if any(title in m.subject for title in titles)]


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_warning_then_the_miss_each_fire_once_and_mail_the_assignee_in_their_language(
    damaged_product: SopVersion, team_a: Team, agent: User
) -> None:
    agent.language = "id"
    agent.save()
    ticket = _report(team_a, assignee=agent)

    assert sop_fire_due(now=_at(47)) == 0
    assert sop_fire_due(now=_at(48)) == 1
    assert sop_fire_due(now=_at(48)) == 0
    with time_machine.travel(_at(48), tick=False):
        run_due_jobs()
    assert _fired(EventKind.SOP_STEP_WARNED) == [(ticket.pk, "acknowledge")]
    [warning] = _sop_mail()
    assert warning.to == ["sari@desk.example"]
    assert ticket.reference in warning.subject
    # The step's title is the SOP's own Indonesian wording for an Indonesian reader.
    assert "Balas dengan terima kasih dan permintaan maaf" in warning.subject

    assert sop_fire_due(now=_at(61)) == 1
    assert sop_fire_due(now=_at(61)) == 0
    with time_machine.travel(_at(61), tick=False):
        run_due_jobs()
        run_due_jobs()
    assert _fired(EventKind.SOP_STEP_OVERDUE) == [(ticket.pk, "acknowledge")]
    assert len(_sop_mail()) == 2
    state = StepState.objects.get(run__ticket=ticket, step_id="acknowledge")
    assert state.overdue_at == T0 + timedelta(hours=1)
    assert state.alert_at is None


def test_after_a_long_outage_only_the_miss_is_reported_and_english_readers_read_english(
    damaged_product: SopVersion, team_a: Team, agent: User
) -> None:
    agent.language = "en"
    agent.save()
    ticket = _report(team_a, assignee=agent)

    assert sop_fire_due(now=_at(300)) == 1
    with time_machine.travel(_at(300), tick=False):
        run_due_jobs()

    assert _fired(EventKind.SOP_STEP_WARNED) == []
    assert _fired(EventKind.SOP_STEP_OVERDUE) == [(ticket.pk, "acknowledge")]
    [overdue] = _sop_mail()
    assert (
        overdue.subject
        == f"[{ticket.reference}] SOP step overdue: Reply with thanks and an apology"
    )


def test_a_step_done_in_time_is_never_reported_and_the_next_one_is(
    damaged_product: SopVersion, team_a: Team, agent: User
) -> None:
    ticket = _report(team_a, assignee=agent)
    with time_machine.travel(_at(10), tick=False):
        sop_step_complete(ticket=ticket, step_id="acknowledge", by=agent)

    sop_fire_due(now=_at(120))

    assert _fired(EventKind.SOP_STEP_OVERDUE) == [(ticket.pk, "ask-evidence")]


def test_an_unassigned_ticket_alerts_the_team_supervisor_not_the_outsider(
    damaged_product: SopVersion, team_a: Team, supervisor: User, outsider: User
) -> None:
    _report(team_a)

    sop_fire_due(now=_at(90))
    with time_machine.travel(_at(90), tick=False):
        run_due_jobs()

    assert [m.to for m in _sop_mail()] == [["dewi@desk.example"]]


def test_steps_of_a_resolved_ticket_or_an_ended_run_raise_no_alert(
    damaged_product: SopVersion, team_a: Team, agent: User
) -> None:
    ticket = _report(team_a, assignee=agent)
    run = current_run(ticket)
    assert run is not None
    run.ended_at = _at(5)
    run.save()

    assert sop_fire_due(now=_at(120)) == 1  # looked at once, found moot
    assert sop_fire_due(now=_at(120)) == 0
    assert _fired(EventKind.SOP_STEP_OVERDUE) == []


TEAM_STEP = """
key: stock-check
title: Stock question
purpose: The warehouse team answers stock questions within the hour.
triggers: {keywords: {id: [stok], en: [stock]}}
steps:
  - id: check-stock
    kind: action
    title: {id: Cek stok di gudang, en: Check the warehouse stock}
    responsible: team:gudang
    deadline: {within: 1h}
"""


def test_a_step_a_team_answers_for_alerts_that_teams_members(
    team_a: Team, agent: User, client: Client
) -> None:
    sop_publish(version=sop_import(text=TEAM_STEP, by=None), by=None, notes="First version")
    warehouse = make_team("Gudang")
    joko = make_user("joko", Role.AGENT, [warehouse])
    joko.language = "id"
    joko.save()
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(team=team_a, subject="Stok kemeja", body="Ada stok?", assignee=agent)

    sop_fire_due(now=_at(70))
    with time_machine.travel(_at(70), tick=False):
        run_due_jobs()

    overdue = [m for m in mail.outbox if "Cek stok di gudang" in m.subject]
    assert [m.to for m in overdue] == [["joko@desk.example"]]
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "recorded an overdue SOP step" in page


def test_switching_sop_silences_the_old_runs_steps(
    damaged_product: SopVersion, team_a: Team, agent: User
) -> None:
    sop_publish(version=sop_import(text=TEAM_STEP, by=None), by=None, notes="First version")
    ticket = _report(team_a, assignee=agent)
    stock = SopVersion.objects.get(sop__key="stock-check")
    with time_machine.travel(_at(5), tick=False):
        sop_switch(ticket=ticket, version=stock, by=agent, reason="Ternyata soal stok")

    sop_fire_due(now=_at(120))

    assert _fired(EventKind.SOP_STEP_OVERDUE) == [(ticket.pk, "check-stock")]


def test_a_step_that_cannot_be_handled_does_not_hold_up_the_others(
    damaged_product: SopVersion, team_a: Team, agent: User
) -> None:
    broken = _report(team_a, assignee=agent)
    fine = _report(team_a, assignee=agent)
    # A step the document no longer knows (the row was edited by hand, say).
    StepState.objects.filter(run__ticket=broken, step_id="acknowledge").update(step_id="gone")

    assert sop_fire_due(now=_at(90)) == 2

    assert _fired(EventKind.SOP_STEP_OVERDUE) == [(fine.pk, "acknowledge")]
    retried = StepState.objects.get(run__ticket=broken, step_id="gone")
    assert retried.alert_at == _at(90) + timedelta(minutes=15)
