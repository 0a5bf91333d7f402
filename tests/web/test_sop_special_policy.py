"""Granting a special policy from the ticket page, and its count on the SOP page."""

from __future__ import annotations

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.sops.models import SopException, SopVersion, StepStatus
from sigap.sops.services import current_run, sop_step_waive
from sigap.tickets.models import Ticket
from tests.factories import make_ticket

ALLOWED = "Kirim pengganti tanpa menunggu foto"
WHY = "Kurir sudah mengakui paketnya rusak"


def _report(team: Team) -> Ticket:
    return make_ticket(team=team, subject="Vas pecah", body="Datang rusak")


def test_a_supervisor_is_offered_the_form_an_agent_is_not(
    client: Client, agent: User, supervisor: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)

    client.force_login(supervisor)
    assert "Grant special policy" in client.get(f"/tickets/{ticket.pk}/").content.decode()
    client.force_login(agent)
    assert "Grant special policy" not in client.get(f"/tickets/{ticket.pk}/").content.decode()


def test_a_supervisor_grants_one_and_the_timeline_shows_it(
    client: Client, supervisor: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client.force_login(supervisor)

    response = client.post(
        f"/tickets/{ticket.pk}/sop/special-policy/",
        {"description": ALLOWED, "reason": WHY, "step": "ask-evidence"},
    )

    assert response.status_code == 302
    run = current_run(ticket)
    assert run is not None
    assert run.steps.get(step_id="ask-evidence").status == StepStatus.WAIVED
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "The special policy is granted" in page
    assert "granted a special policy" in page  # the timeline
    assert f"“{ALLOWED}” (Ask for a photo or video of the damage), because: {WHY}" in page
    assert "Settled by a special policy of Dewi" in page  # the checklist step


def test_an_agent_posting_anyway_is_refused(
    client: Client, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client.force_login(agent)

    response = client.post(
        f"/tickets/{ticket.pk}/sop/special-policy/", {"description": ALLOWED, "reason": WHY}
    )

    assert response.status_code == 403
    assert "Only a supervisor or manager may grant a special policy." in response.content.decode()
    assert not SopException.objects.exists()


def test_an_outsider_gets_not_found(
    client: Client, outsider: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client.force_login(outsider)

    response = client.post(
        f"/tickets/{ticket.pk}/sop/special-policy/", {"description": ALLOWED, "reason": WHY}
    )

    assert response.status_code == 404
    assert not SopException.objects.exists()


def test_a_missing_description_is_shown_beside_its_field_and_the_reason_kept(
    client: Client, supervisor: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client.force_login(supervisor)

    response = client.post(
        f"/tickets/{ticket.pk}/sop/special-policy/", {"description": "  -  ", "reason": WHY}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Describe what is allowed outside the SOP for this customer." in page
    assert WHY in page
    assert not SopException.objects.exists()


def test_the_sop_page_counts_exceptions_per_step_most_first(
    client: Client, agent: User, supervisor: User, team_a: Team, damaged_product: SopVersion
) -> None:
    for _ in range(2):
        sop_step_waive(ticket=_report(team_a), step_id="verify", by=agent, reason=WHY)
    client.force_login(supervisor)
    client.post(
        f"/tickets/{_report(team_a).pk}/sop/special-policy/",
        {"description": ALLOWED, "reason": WHY, "step": "acknowledge"},
    )

    page = client.get("/sops/damaged-product/").content.decode()

    section = page[page.index("Exceptions in the last 90 days") :]
    assert section.index("Verify the damage") < section.index("Reply with thanks and an apology")
    assert "<td>2</td><td>0</td><td><strong>2</strong></td>" in section
    assert "<td>0</td><td>1</td><td><strong>1</strong></td>" in section
