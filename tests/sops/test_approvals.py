from __future__ import annotations

from decimal import Decimal

import pytest

from sigap.accounts.models import Role, Team, User
from sigap.core.errors import InvalidInput, NotAllowed
from sigap.sops.models import SopVersion, StepStatus
from sigap.sops.selectors import approval_queue
from sigap.sops.services import (
    current_run,
    sop_approval_request,
    sop_step_complete,
    sop_step_waive,
)
from sigap.tickets.models import Ticket
from tests.factories import make_ticket, make_user


def _at_refund(team: Team, agent: User) -> Ticket:
    ticket = make_ticket(team=team, subject="Vas pecah", body="Datang rusak")
    for step in ("acknowledge", "ask-evidence", "verify"):
        sop_step_complete(ticket=ticket, step_id=step, by=agent)
    sop_step_complete(ticket=ticket, step_id="resolution", by=agent, outcome="refund")
    return ticket


def test_a_refund_above_the_agents_authority_waits_in_the_supervisors_queue(
    damaged_product: SopVersion, agent: User, supervisor: User, team_a: Team
) -> None:
    ticket = _at_refund(team_a, agent)

    sop_approval_request(
        ticket=ticket,
        step_id="refund",
        by=agent,
        amount=Decimal(2_000_000),
        note="Refund penuh, barang pecah total",
    )

    assert approval_queue(agent) == []
    queued = approval_queue(supervisor)
    assert [(s.run.ticket_id, s.step_id, s.approval_amount) for s in queued] == [
        (ticket.pk, "refund", Decimal(2_000_000))
    ]
    event = ticket.events.get(kind="sop_approval_requested")
    assert event.data["amount"] == "2000000"

    sop_step_complete(ticket=ticket, step_id="refund", by=supervisor, outcome="approved")

    assert approval_queue(supervisor) == []
    run = current_run(ticket)
    assert run is not None
    assert run.steps.get(step_id="refund").status == StepStatus.DONE


def test_the_requested_amount_binds_whoever_approves(
    damaged_product: SopVersion, agent: User, teammate: User, team_a: Team
) -> None:
    ticket = _at_refund(team_a, agent)
    sop_approval_request(
        ticket=ticket, step_id="refund", by=agent, amount=Decimal(900_000), note="Refund penuh"
    )

    with pytest.raises(NotAllowed, match="above your authority"):
        sop_step_complete(ticket=ticket, step_id="refund", by=teammate, outcome="approved")


def test_amounts_above_a_supervisor_go_to_a_manager(
    damaged_product: SopVersion, agent: User, supervisor: User, team_a: Team
) -> None:
    manager = make_user("bos", Role.MANAGER, [team_a])
    ticket = _at_refund(team_a, agent)

    sop_approval_request(
        ticket=ticket, step_id="refund", by=agent, amount=Decimal(8_000_000), note="Pesanan grosir"
    )

    assert approval_queue(supervisor) == []
    assert [s.step_id for s in approval_queue(manager)] == ["refund"]


def test_a_request_needs_an_amount_and_a_reason(
    damaged_product: SopVersion, agent: User, team_a: Team
) -> None:
    ticket = _at_refund(team_a, agent)

    with pytest.raises(InvalidInput):
        sop_approval_request(
            ticket=ticket, step_id="refund", by=agent, amount=Decimal(0), note="Refund penuh"
        )
    with pytest.raises(InvalidInput):
        sop_approval_request(ticket=ticket, step_id="refund", by=agent, amount=Decimal(10), note="")


def test_an_agent_cannot_waive_the_approval_to_get_round_their_limit(
    damaged_product: SopVersion, agent: User, supervisor: User, team_a: Team
) -> None:
    ticket = _at_refund(team_a, agent)

    with pytest.raises(NotAllowed, match="decide approvals"):
        sop_step_waive(
            ticket=ticket, step_id="refund", by=agent, reason="Pelanggan sudah menunggu lama"
        )
    sop_step_waive(
        ticket=ticket, step_id="refund", by=supervisor, reason="Kebijakan khusus: pelanggan VIP"
    )

    run = current_run(ticket)
    assert run is not None
    assert run.steps.get(step_id="refund").status == StepStatus.WAIVED
