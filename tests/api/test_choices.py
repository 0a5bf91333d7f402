from __future__ import annotations

from sigap.accounts.models import Role, Team, User
from sigap.accounts.services import user_create
from sigap.tickets.models import Category
from tests.api.conftest import ApiClient
from tests.factories import make_category


def test_teams_are_listed_by_name(
    agent: User, team_a: Team, team_b: Team, api_as: ApiClient
) -> None:
    response = api_as(agent).get("/api/teams")

    assert response.status_code == 200
    assert [team["name"] for team in response.json()] == ["Korporat", "Pelanggan Retail"]


def test_only_categories_in_use_are_offered(agent: User, api_as: ApiClient) -> None:
    make_category("Pengiriman")
    retired = make_category("Promo lama")
    Category.objects.filter(pk=retired.pk).update(is_active=False)

    response = api_as(agent).get("/api/categories")

    assert [category["name"] for category in response.json()] == ["Pengiriman"]


def test_agents_are_the_active_people_who_can_work_tickets(
    agent: User, teammate: User, outsider: User, team_a: Team, api_as: ApiClient
) -> None:
    gone = user_create(
        username="lama", email="", password=None, role=Role.AGENT, teams=[team_a], first_name="Lama"
    )
    gone.is_active = False
    gone.save()
    client = api_as(agent)

    everyone = client.get("/api/agents").json()
    of_team_a = client.get(f"/api/agents?team={team_a.pk}").json()

    assert sorted(a["name"] for a in everyone) == ["Budi", "Rina", "Sari"]
    assert [(a["name"], a["team_ids"]) for a in of_team_a] == [
        ("Budi", [team_a.pk]),
        ("Sari", [team_a.pk]),
    ]


def test_agents_filter_must_be_a_team_number(agent: User, api_as: ApiClient) -> None:
    response = api_as(agent).get("/api/agents?team=retail")

    assert response.status_code == 400
    assert response.json()["field"] == "team"
    assert response.json()["detail"] == "team: Must be a whole number."
