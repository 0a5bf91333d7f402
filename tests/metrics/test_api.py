"""The metrics API: the same numbers as the dashboard, definitions included, clear refusals."""

from __future__ import annotations

import pytest
import time_machine

from sigap.accounts.models import Team, User
from tests.metrics.conftest import ApiClient
from tests.metrics.desk import READ_AT, october_desk

pytestmark = pytest.mark.django_db


def test_a_manager_reads_every_kpi_with_its_definition(
    api_as: ApiClient, manager: User, team_a: Team, team_b: Team, agent: User, other_agent: User
) -> None:
    october_desk(team_a, team_b, agent, other_agent)

    with time_machine.travel(READ_AT, tick=False):
        response = api_as(manager).get("/api/metrics", {"period": "2026-10"})

    assert response.status_code == 200
    body = response.json()
    kpis = {k["key"]: k for k in body["kpis"]}
    assert kpis["first_response_time"]["value"] == 4200.0
    assert kpis["first_response_time"]["counted_over"] == 3
    assert kpis["csat"]["value"] == 50.0
    assert kpis["sop_step_compliance"]["value"] is None
    assert "4 or 5" in kpis["csat"]["definition"]
    assert body["period"] == {
        "key": "2026-10",
        "kind": "month",
        "first_day": "2026-10-01",
        "last_day": "2026-10-31",
    }
    assert len(body["trend"]) == 31
    assert [row["channel"] for row in body["by_channel"]] == ["email", "chat"]


def test_the_tickets_behind_a_number_page_by_key(
    api_as: ApiClient, manager: User, team_a: Team, team_b: Team, agent: User, other_agent: User
) -> None:
    desk = october_desk(team_a, team_b, agent, other_agent)

    with time_machine.travel(READ_AT, tick=False):
        response = api_as(manager).get(
            "/api/metrics/tickets", {"period": "2026-10", "cohort": "backlog"}
        )

    assert response.status_code == 200
    assert [t["reference"] for t in response.json()["items"]] == [
        desk.t3.reference,
        desk.t6.reference,
    ]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"period": "2026-13"}, "period", "There is no month 2026-13"),
        ({"period": "2025-W53"}, "period", "There is no week 2025-W53"),
        ({"period": "last month"}, "period", "is not a period"),
        ({"period": "2026-10", "channel": "fax"}, "channel", "Unknown channel fax"),
        ({"period": "2026-10", "team": "999999"}, "team", "There is no team 999999"),
        ({"period": "2026-10", "team": "abc"}, "team", "whole number"),
    ],
)
def test_a_bad_period_or_slice_is_422_with_the_reason(
    api_as: ApiClient, manager: User, query: dict[str, str], field: str, words: str
) -> None:
    response = api_as(manager).get("/api/metrics", query)

    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == field
    assert words in problem["detail"]


def test_an_unknown_drill_down_list_is_422(api_as: ApiClient, manager: User) -> None:
    response = api_as(manager).get("/api/metrics/tickets", {"period": "2026-10", "cohort": "x"})

    assert response.status_code == 422
    assert response.json()["field"] == "cohort"


def test_agents_are_refused_and_supervisors_see_their_own_teams(
    api_as: ApiClient, agent: User, supervisor: User, team_b: Team
) -> None:
    refused = api_as(agent).get("/api/metrics", {"period": "2026-10"})
    own = api_as(supervisor).get("/api/metrics", {"period": "2026-10"})
    other_team = api_as(supervisor).get("/api/metrics", {"period": "2026-10", "team": team_b.pk})

    assert refused.status_code == 403
    assert own.status_code == 200
    assert own.json()["slice"]["teams"] == list(supervisor.teams.values_list("pk", flat=True))
    assert other_team.status_code == 403


def test_the_metrics_are_in_the_openapi_document(api_as: ApiClient, manager: User) -> None:
    paths = api_as(manager).get("/api/openapi.json").json()["paths"]

    assert "422" in paths["/api/metrics"]["get"]["responses"]
    assert "/api/metrics/tickets" in paths
    assert "/api/metrics/definitions" in paths
