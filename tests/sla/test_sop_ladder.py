"""SOP steps climb the same ladder as the response-time policy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sigap.accounts.models import Team, User
from sigap.sla.models import Escalation
from sigap.sla.services import current_level
from sigap.sops.models import SopVersion
from sigap.sops.services import sop_approval_request, sop_library_install, sop_step_complete
from sigap.tickets.models import Ticket
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_an_sop_escalate_step_hands_the_ticket_to_the_supervisor_level(
    team_a: Team, agent: User, supervisor: User
) -> None:
    sop_library_install()
    ticket = make_ticket(team=team_a, subject="Kurir kasar", body="Saya kecewa dengan kurirnya")
    sop_step_complete(ticket=ticket, step_id="empathise", by=agent)
    sop_step_complete(ticket=ticket, step_id="verify-and-record", by=agent)
    sop_step_complete(ticket=ticket, step_id="front-line-can-solve", by=agent, outcome="escalate")

    sop_step_complete(
        ticket=ticket, step_id="escalate", by=agent, note="Minta kompensasi di luar wewenang"
    )

    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.level == 2
    assert escalation.cause == "sop"
    assert escalation.reason == "Minta kompensasi di luar wewenang"
    assert escalation.by == agent
    ticket.refresh_from_db()
    assert ticket.assignee == supervisor


def _at_refund(team: Team, agent: User) -> Ticket:
    """A damaged-product ticket where the agent chose a refund: its approval step is open."""
    ticket = make_ticket(team=team, subject="Vas pecah", body="Datang rusak")
    for step in ("acknowledge", "ask-evidence", "verify"):
        sop_step_complete(ticket=ticket, step_id=step, by=agent)
    sop_step_complete(ticket=ticket, step_id="resolution", by=agent, outcome="refund")
    return ticket


def test_a_refund_above_the_agents_authority_goes_to_the_supervisor_level(
    damaged_product: SopVersion, team_a: Team, agent: User, supervisor: User
) -> None:
    ticket = _at_refund(team_a, agent)

    sop_approval_request(
        ticket=ticket, step_id="refund", by=agent, amount=Decimal(2_000_000), note="Refund penuh"
    )

    assert current_level(ticket) == 2
    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.cause == "criteria"
    assert escalation.reason == "Rp 2,000,000 needs approval above the agent's authority."


def test_a_refund_within_the_agents_authority_stays_at_the_first_level(
    damaged_product: SopVersion, team_a: Team, agent: User
) -> None:
    ticket = _at_refund(team_a, agent)

    sop_approval_request(
        ticket=ticket, step_id="refund", by=agent, amount=Decimal(300_000), note="Refund sebagian"
    )

    assert current_level(ticket) == 1
