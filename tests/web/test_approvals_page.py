from __future__ import annotations

from decimal import Decimal

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.sops.models import SopVersion
from sigap.sops.services import current_run, sop_step_complete
from tests.factories import make_ticket


def test_ask_then_approve_from_the_queue(
    client: Client,
    agent: User,
    supervisor: User,
    team_a: Team,
    damaged_product: SopVersion,
) -> None:
    ticket = make_ticket(team=team_a, subject="Vas pecah", body="Datang rusak")
    for step in ("acknowledge", "ask-evidence", "verify"):
        sop_step_complete(ticket=ticket, step_id=step, by=agent)
    sop_step_complete(ticket=ticket, step_id="resolution", by=agent, outcome="refund")

    client.force_login(agent)
    asked = client.post(
        f"/tickets/{ticket.pk}/sop/steps/refund/request-approval/",
        {"amount": "1500000", "note": "Refund penuh untuk vas pecah"},
    )
    assert asked.status_code == 302
    assert client.get("/approvals/").content.decode().count("Refund penuh") == 0

    client.force_login(supervisor)
    queue = client.get("/approvals/").content.decode()
    assert "Rp 1.500.000" in queue
    assert "Refund penuh untuk vas pecah" in queue
    assert ticket.reference in queue

    decided = client.post(
        f"/tickets/{ticket.pk}/sop/steps/refund/complete/",
        {"outcome": "approved", "next": "approvals"},
    )

    assert decided.status_code == 302
    assert decided["Location"] == "/approvals/"
    run = current_run(ticket)
    assert run is not None
    refund = run.steps.get(step_id="refund")
    assert (refund.status, refund.outcome, refund.completed_by) == ("done", "approved", supervisor)
    assert refund.approval_amount == Decimal(1_500_000)
    assert "Nothing is waiting" in client.get("/approvals/").content.decode()


def test_agents_have_no_approvals_link(client: Client, agent: User, supervisor: User) -> None:
    client.force_login(agent)
    assert 'href="/approvals/"' not in client.get("/").content.decode()
    client.force_login(supervisor)
    assert 'href="/approvals/"' in client.get("/").content.decode()
