"""Business-hours resolution, SLA compliance by channel, SOP steps and escalations."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from sigap.accounts.models import Team, User
from sigap.core.jobs import run_due_jobs
from sigap.metrics.kpis import kpis_compute
from sigap.metrics.models import TicketFact
from sigap.metrics.periods import period_parse
from sigap.metrics.refresh import facts_catch_up
from sigap.metrics.slices import Slice
from sigap.sla.configuration import sla_defaults_install, sla_team_calendar_set
from sigap.sla.firing import sla_fire_due
from sigap.sla.models import Calendar
from sigap.sla.services import ticket_escalate
from sigap.sops.models import SopException, SopRun, SopVersion, StepState
from sigap.tickets.models import Channel, Status
from tests import factories
from tests.metrics.desk import READ_AT, at, receive, reply, status_change

pytestmark = pytest.mark.django_db


def _catch_up() -> None:
    with time_machine.travel(READ_AT, tick=False):
        while facts_catch_up():
            pass


def _october() -> dict[str, object]:
    with time_machine.travel(READ_AT, tick=False):
        return kpis_compute(Slice(period=period_parse("2026-10"))).values


def test_business_time_counts_office_hours_and_leaves_out_waiting(
    team_a: Team, agent: User
) -> None:
    sla_defaults_install()
    calendar = Calendar.objects.get(key="jakarta-office")
    sla_team_calendar_set(team=team_a, calendar=calendar, by=None)
    with time_machine.travel(at(10, 9, 16), tick=False):  # Friday 16:00
        ticket = factories.make_ticket(team=team_a, assignee=agent)
    reply(ticket, agent, at(10, 10, 9), status=Status.PENDING_CUSTOMER)  # Saturday 09:00
    receive(ticket, at(10, 12, 9))  # Monday 09:00
    status_change(ticket, agent, at(10, 12, 10), Status.RESOLVED)  # Monday 10:00
    _catch_up()

    values = _october()

    # Calendar: Friday 16:00 → Monday 10:00 is 66 h, less 48 h waiting = 18 h.
    assert values["resolution_time"] == 18 * 3600.0
    # Open hours: Fri 16–17, Sat 08–09 (then waiting), Mon 09–10 = 3 h.
    assert values["resolution_business_time"] == 3 * 3600.0


def test_sla_compliance_by_channel_counts_met_and_breached_targets(
    team_a: Team, agent: User
) -> None:
    with time_machine.travel(at(10, 14, 9), tick=False):
        email = factories.make_ticket(team=team_a, channel=Channel.EMAIL, assignee=agent)
        chat = factories.make_ticket(team=team_a, channel=Channel.CHAT, assignee=agent)
    reply(email, agent, at(10, 14, 9, 10), status=Status.RESOLVED)
    # The chat's one-minute first-response target runs out before anyone answers.
    with time_machine.travel(at(10, 14, 9, 3), tick=False):
        sla_fire_due()
    reply(chat, agent, at(10, 14, 9, 5), status=Status.RESOLVED)
    _catch_up()

    with time_machine.travel(READ_AT, tick=False):
        report = kpis_compute(Slice(period=period_parse("2026-10")))

    by_channel = {row["channel"]: row["sla_compliance"] for row in report.by_channel}
    # Email: first response and resolution met. Chat: first response breached, resolution met.
    assert by_channel == {"email": 100.0, "chat": 50.0}
    assert report.values["sla_compliance"] == 75.0


def test_sop_steps_late_waived_and_special_policies(
    team_a: Team, agent: User, damaged_product: SopVersion
) -> None:
    with time_machine.travel(at(10, 20, 9), tick=False):
        ticket = factories.make_ticket(team=team_a, assignee=agent)
    run = SopRun.objects.get(ticket=ticket)
    assert run.version_id == damaged_product.pk
    # Steps as the engine would leave them: two on time, one late, one waived.
    deadline = at(10, 20, 12)
    steps = list(StepState.objects.filter(run=run).order_by("position"))
    assert len(steps) >= 4
    outcomes = [
        ("done", at(10, 20, 10)),
        ("done", at(10, 20, 12)),
        ("done", at(10, 20, 13)),
        ("waived", None),
    ]
    for step, (status, completed) in zip(steps, outcomes, strict=False):
        step.status = status
        step.deadline_at = deadline
        step.completed_at = completed
        step.save()
    for step in steps[len(outcomes) :]:
        step.status = "open"
        step.deadline_at = deadline
        step.save()
    common = {"ticket": ticket, "run": run, "version": damaged_product, "by": agent}
    SopException.objects.create(
        step_id=steps[3].step_id, kind="waived", reason="Pelanggan tidak ada", at=deadline, **common
    )
    SopException.objects.create(
        step_id="", kind="special_policy", reason="Ganti ongkir", at=deadline, **common
    )
    with time_machine.travel(at(10, 20, 14), tick=False):
        factories.make_ticket(team=team_a)  # any event: the executor reads the timeline on
    facts_from_scratch = TicketFact.objects.count()
    _catch_up()

    with time_machine.travel(READ_AT, tick=False):
        report = kpis_compute(Slice(period=period_parse("2026-10")))

    assert facts_from_scratch == 0
    # 4 steps with an outcome; the 2 done by the deadline (one exactly at it) comply.
    assert report.values["sop_step_compliance"] == 50.0
    assert report.values["exceptions"] == 2
    steps_listed = {
        (s["step_id"], s["late"], s["waived"], s["special_policy"]) for s in report.steps
    }
    assert steps_listed == {
        (steps[2].step_id, 1, 0, 0),
        (steps[3].step_id, 0, 1, 0),
        ("", 0, 0, 1),
    }
    assert {s["sop"] for s in report.steps} == {damaged_product.sop.key}
    by_sop = {row["sop"]: row["tickets_opened"] for row in report.by_sop}
    assert by_sop[damaged_product.sop.key] >= 1


def test_escalations_are_counted_per_level_in_the_period_they_happened(
    team_a: Team, agent: User, supervisor: User
) -> None:
    with time_machine.travel(at(10, 21, 9), tick=False):
        ticket = factories.make_ticket(team=team_a, assignee=agent)
        other = factories.make_ticket(team=team_a, assignee=agent)
    with time_machine.travel(at(10, 21, 10), tick=False):
        ticket_escalate(ticket=ticket, by=agent, reason="Pelanggan marah")
        ticket_escalate(ticket=other, by=agent, reason="Butuh persetujuan")
    with time_machine.travel(at(11, 1, 10), tick=False):
        ticket_escalate(ticket=ticket, by=supervisor, reason="Minta manajer")
    _catch_up()

    with time_machine.travel(READ_AT, tick=False):
        october = kpis_compute(Slice(period=period_parse("2026-10")))
        november = kpis_compute(Slice(period=period_parse("2026-11")))

    assert october.escalations == [{"level": 2, "count": 2}]
    assert november.escalations == [{"level": 3, "count": 1}]
    assert november.values["escalations"] == 1


def test_the_executor_keeps_the_figures_current(team_a: Team, agent: User) -> None:
    with time_machine.travel(at(10, 22, 9), tick=False):
        ticket = factories.make_ticket(team=team_a, assignee=agent)
        run_due_jobs()
    assert TicketFact.objects.get(pk=ticket.pk).first_resolved_at is None

    status_change(ticket, agent, at(10, 22, 11), Status.RESOLVED)
    with time_machine.travel(at(10, 22, 11) + timedelta(seconds=1), tick=False):
        run_due_jobs()

    fact = TicketFact.objects.get(pk=ticket.pk)
    assert fact.first_resolved_at == at(10, 22, 11)
    assert fact.resolution_seconds == 2 * 3600.0
