from __future__ import annotations

from sigap.accounts.models import Team, User
from sigap.sops.models import SopVersion
from sigap.tickets.models import Ticket
from tests.api.conftest import ApiClient
from tests.conftest import SOP_LIBRARY
from tests.factories import make_ticket


def _report(team: Team) -> Ticket:
    return make_ticket(team=team, subject="Vas pecah", body="Datang rusak")


def test_a_tickets_run_step_by_step(
    api_as: ApiClient, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)

    body = api_as(agent).get(f"/api/tickets/{ticket.pk}/sop").json()

    assert body["sop"] == "damaged-product"
    assert body["version"] == 1
    assert body["matched"] == ["keyword “rusak”", "keyword “pecah”"]
    first = body["steps"][0]
    assert (first["id"], first["status"], first["blocks_resolution"]) == (
        "acknowledge",
        "open",
        True,
    )
    assert ticket.reference in first["template"]


def test_complete_decide_and_waive_through_the_api(
    api_as: ApiClient, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client = api_as(agent)
    base = f"/api/tickets/{ticket.pk}/sop/steps"

    client.post(f"{base}/acknowledge/complete", {}, content_type="application/json")
    waived = client.post(
        f"{base}/ask-evidence/waive",
        {"reason": "Foto sudah dikirim di email pertama"},
        content_type="application/json",
    )
    client.post(f"{base}/verify/complete", {}, content_type="application/json")
    decided = client.post(
        f"{base}/resolution/complete", {"outcome": "refund"}, content_type="application/json"
    )
    too_much = client.post(
        f"{base}/refund/complete",
        {"outcome": "approved", "amount": 900000},
        content_type="application/json",
    )

    assert waived.status_code == 200
    statuses = {s["id"]: s["status"] for s in decided.json()["steps"]}
    assert statuses["ask-evidence"] == "waived"
    assert statuses["refund"] == "open"
    assert statuses["ship-replacement"] == "skipped"
    assert too_much.status_code == 403
    assert "above your authority" in too_much.json()["detail"]


def test_a_wrong_option_is_a_problem_naming_the_choices(
    api_as: ApiClient, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client = api_as(agent)
    for step in ("acknowledge", "ask-evidence", "verify"):
        client.post(
            f"/api/tickets/{ticket.pk}/sop/steps/{step}/complete",
            {},
            content_type="application/json",
        )

    response = client.post(
        f"/api/tickets/{ticket.pk}/sop/steps/resolution/complete",
        {"outcome": "voucher"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["field"] == "outcome"
    assert "refund, replacement, repair" in response.json()["detail"]


def test_an_outsider_cannot_see_or_touch_the_run(
    api_as: ApiClient, outsider: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    client = api_as(outsider)

    assert client.get(f"/api/tickets/{ticket.pk}/sop").status_code == 404
    assert (
        client.post(
            f"/api/tickets/{ticket.pk}/sop/steps/acknowledge/complete",
            {},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_validate_lists_problems_with_lines_and_import_needs_authority(
    api_as: ApiClient, agent: User, supervisor: User
) -> None:
    broken = (
        "key: x\ntitle: X\npurpose: P\nsteps:\n  - {id: a, kind: action, title: A, after: [b]}\n"
    )

    checked = api_as(agent).post(
        "/api/sops/validate", {"document": broken}, content_type="application/json"
    )
    refused = api_as(agent).post(
        "/api/sops",
        {"document": (SOP_LIBRARY / "complaint.yaml").read_text()},
        content_type="application/json",
    )
    created = api_as(supervisor).post(
        "/api/sops",
        {"document": (SOP_LIBRARY / "complaint.yaml").read_text(), "publish": True, "notes": "v1"},
        content_type="application/json",
    )

    assert checked.json() == {
        "valid": False,
        "key": None,
        "errors": [
            {
                "line": 5,
                "field": "steps[0].after[0]",
                "message": "step a comes after b, which does not exist",
            }
        ],
    }
    assert refused.status_code == 403
    assert created.status_code == 201
    assert created.json()["status"] == "active"
    listed = api_as(agent).get("/api/sops").json()
    assert [s["key"] for s in listed] == ["complaint"]


POLICY = {
    "description": "Kirim pengganti tanpa menunggu foto",
    "reason": "Kurir sudah mengakui paketnya rusak",
}


def test_a_supervisor_grants_a_special_policy_through_the_api(
    api_as: ApiClient, supervisor: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)

    response = api_as(supervisor).post(
        f"/api/tickets/{ticket.pk}/sop/special-policy",
        {**POLICY, "step": "ask-evidence"},
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert {s["id"]: s["status"] for s in body["steps"]}["ask-evidence"] == "waived"
    [policy] = body["special_policies"]
    assert (policy["step"], policy["description"], policy["reason"], policy["granted_by"]) == (
        "ask-evidence",
        POLICY["description"],
        POLICY["reason"],
        supervisor.display_name,
    )
    assert ticket.events.filter(kind="sop_special_policy_granted").count() == 1


def test_an_agent_is_refused_a_special_policy_as_a_problem(
    api_as: ApiClient, agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)

    response = api_as(agent).post(
        f"/api/tickets/{ticket.pk}/sop/special-policy", POLICY, content_type="application/json"
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Only a supervisor or manager may grant a special policy."


def test_a_special_policy_needs_what_is_allowed(
    api_as: ApiClient, supervisor: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)

    response = api_as(supervisor).post(
        f"/api/tickets/{ticket.pk}/sop/special-policy",
        {**POLICY, "description": " "},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "Describe what is allowed" in response.content.decode()


def test_an_outsider_gets_not_found_for_a_special_policy(
    api_as: ApiClient, outsider: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)

    response = api_as(outsider).post(
        f"/api/tickets/{ticket.pk}/sop/special-policy", POLICY, content_type="application/json"
    )

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert not ticket.events.filter(kind="sop_special_policy_granted").exists()
