from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from sigap.accounts.models import Team, User
from sigap.core.errors import Conflict, InvalidInput, NotAllowed
from sigap.sops.models import SopVersion, StepStatus
from sigap.sops.services import (
    current_run,
    sop_step_complete,
    sop_step_waive,
)
from sigap.tickets.models import Status, Ticket
from sigap.tickets.services import ticket_change_status, ticket_reply
from tests.factories import make_ticket

NOW = "2026-11-02 09:00:00+07:00"


def _report(team: Team) -> Ticket:
    return make_ticket(team=team, subject="Vas bunga pecah", body="Barang datang rusak.")


def _states(ticket: Ticket) -> dict[str, str]:
    run = current_run(ticket)
    assert run is not None
    return {s.step_id: s.status for s in run.steps.all()}


@time_machine.travel(NOW, tick=False)
def test_a_damage_report_starts_the_sop_with_a_one_hour_reply(
    damaged_product: SopVersion, team_a: Team
) -> None:
    ticket = _report(team_a)

    run = current_run(ticket)
    assert run is not None
    assert run.version == damaged_product
    assert run.matched["reasons"] == [
        {"kind": "keyword", "value": "rusak"},
        {"kind": "keyword", "value": "pecah"},
    ]
    first = run.steps.get(step_id="acknowledge")
    assert first.status == StepStatus.OPEN
    assert first.deadline_at == ticket.created_at + timedelta(hours=1)
    event = ticket.events.get(kind="sop_started")
    assert event.data["sop"] == "damaged-product"


def test_a_ticket_no_sop_matches_runs_none(damaged_product: SopVersion, team_a: Team) -> None:
    ticket = make_ticket(team=team_a, subject="Jam buka", body="Toko buka jam berapa?")

    assert current_run(ticket) is None


def test_the_ticket_cannot_be_resolved_with_mandatory_steps_open(
    damaged_product: SopVersion, agent: User, team_a: Team
) -> None:
    ticket = _report(team_a)

    with pytest.raises(Conflict, match="Reply with thanks and an apology"):
        ticket_change_status(ticket=ticket, by=agent, status=Status.RESOLVED)
    with pytest.raises(Conflict, match="Reply with thanks and an apology"):
        ticket_reply(ticket=ticket, by=agent, body="Selesai", status=Status.RESOLVED)
    with pytest.raises(Conflict):
        ticket_change_status(ticket=ticket, by=agent, status=Status.CLOSED)

    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert ticket.messages.count() == 1  # the refused reply was not half-sent
    assert not ticket.events.filter(kind="status_changed").exists()


def test_the_replacement_branch_end_to_end(
    damaged_product: SopVersion, agent: User, team_a: Team
) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        ticket = _report(team_a)
        for step in ("acknowledge", "ask-evidence", "verify"):
            traveller.shift(timedelta(minutes=20))
            sop_step_complete(ticket=ticket, step_id=step, by=agent)
        traveller.shift(timedelta(minutes=20))
        sop_step_complete(ticket=ticket, step_id="resolution", by=agent, outcome="replacement")

        run = current_run(ticket)
        assert run is not None
        shipping = run.steps.get(step_id="ship-replacement")
        assert shipping.deadline_at == ticket.created_at + timedelta(minutes=80, hours=48)
        assert _states(ticket)["refund"] == StepStatus.SKIPPED

        traveller.shift(timedelta(hours=30))
        sop_step_complete(ticket=ticket, step_id="ship-replacement", by=agent)
        ticket_change_status(ticket=ticket, by=agent, status=Status.RESOLVED)

    ticket.refresh_from_db()
    follow_up = run.steps.get(step_id="follow-up")
    assert follow_up.status == StepStatus.OPEN
    assert ticket.resolved_at is not None
    assert follow_up.deadline_at == ticket.resolved_at + timedelta(days=2)
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds.count("sop_step_completed") == 5


def test_a_decision_needs_one_of_its_options(
    damaged_product: SopVersion, agent: User, team_a: Team
) -> None:
    ticket = _report(team_a)
    for step in ("acknowledge", "ask-evidence", "verify"):
        sop_step_complete(ticket=ticket, step_id=step, by=agent)

    with pytest.raises(InvalidInput, match="refund, replacement, repair"):
        sop_step_complete(ticket=ticket, step_id="resolution", by=agent, outcome="voucher")


def test_a_step_completes_only_once_and_only_when_open(
    damaged_product: SopVersion, agent: User, team_a: Team
) -> None:
    ticket = _report(team_a)
    sop_step_complete(ticket=ticket, step_id="acknowledge", by=agent)

    with pytest.raises(Conflict):
        sop_step_complete(ticket=ticket, step_id="acknowledge", by=agent)
    with pytest.raises(Conflict):
        sop_step_complete(ticket=ticket, step_id="verify", by=agent)

    assert ticket.events.filter(kind="sop_step_completed").count() == 1


def test_refund_above_the_agents_authority_needs_a_supervisor(
    damaged_product: SopVersion, agent: User, supervisor: User, team_a: Team
) -> None:
    ticket = _report(team_a)
    for step in ("acknowledge", "ask-evidence", "verify"):
        sop_step_complete(ticket=ticket, step_id=step, by=agent)
    sop_step_complete(ticket=ticket, step_id="resolution", by=agent, outcome="refund")

    with pytest.raises(NotAllowed, match="above your authority"):
        sop_step_complete(
            ticket=ticket, step_id="refund", by=agent, outcome="approved", amount=Decimal(750_000)
        )
    sop_step_complete(
        ticket=ticket, step_id="refund", by=supervisor, outcome="approved", amount=Decimal(750_000)
    )

    event = ticket.events.filter(kind="sop_step_completed").last()
    assert event is not None
    assert event.data["outcome"] == "approved"
    assert event.actor_user == supervisor


def test_a_waived_step_needs_a_reason_and_is_on_the_timeline(
    damaged_product: SopVersion, agent: User, team_a: Team
) -> None:
    ticket = _report(team_a)

    with pytest.raises(InvalidInput):
        sop_step_waive(ticket=ticket, step_id="acknowledge", by=agent, reason="")
    sop_step_waive(
        ticket=ticket, step_id="acknowledge", by=agent, reason="Pelanggan menelepon langsung"
    )

    assert _states(ticket)["acknowledge"] == StepStatus.WAIVED
    assert _states(ticket)["ask-evidence"] == StepStatus.OPEN
    event = ticket.events.get(kind="sop_step_waived")
    assert event.data["reason"] == "Pelanggan menelepon langsung"


def test_an_outsider_cannot_touch_the_run(
    damaged_product: SopVersion, outsider: User, team_a: Team
) -> None:
    ticket = _report(team_a)

    with pytest.raises(NotAllowed):
        sop_step_complete(ticket=ticket, step_id="acknowledge", by=outsider)
