from __future__ import annotations

from sigap.accounts.models import Team, User
from tests.api.conftest import ApiClient


def test_me_tells_role_teams_and_what_i_may_do(
    agent: User, team_a: Team, api_as: ApiClient
) -> None:
    response = api_as(agent).get("/api/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": agent.pk,
        "username": "sari",
        "name": "Sari",
        "email": "sari@desk.example",
        "language": "",
        "roles": ["agent"],
        "teams": [{"id": team_a.pk, "name": "Pelanggan Retail", "slug": "pelanggan-retail"}],
        "permissions": {
            "create_tickets": True,
            "work_tickets": True,
            "see_all_tickets": False,
            "assign_any_agent": False,
            "add_customers": True,
            "change_customers": True,
            "merge_customers": False,
        },
    }


def test_a_manager_may_see_every_team_and_merge(manager: User, api_as: ApiClient) -> None:
    body = api_as(manager).get("/api/me").json()

    assert body["roles"] == ["manager"]
    assert body["permissions"]["see_all_tickets"] is True
    assert body["permissions"]["merge_customers"] is True
