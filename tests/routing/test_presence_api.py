"""Presence and the queue over the API: an agent sets their own, an outsider is refused."""

from __future__ import annotations

import pytest

from sigap.accounts.models import Team, User
from sigap.routing.models import AgentPresence, Presence
from sigap.tickets.models import Ticket
from tests import factories
from tests.api.conftest import ApiClient
from tests.routing.helpers import online, routes

pytestmark = pytest.mark.django_db


def _put(api_as: ApiClient, by: User, agent: User, status: str) -> tuple[int, dict[str, object]]:
    response = api_as(by).put(
        f"/api/agents/{agent.pk}/presence", {"status": status}, content_type="application/json"
    )
    return response.status_code, response.json()


def test_an_agent_goes_online_and_takes_the_waiting_conversation(
    api_as: ApiClient, team_a: Team, agent: User
) -> None:
    routes(team_a)
    waiting = factories.make_ticket(team=team_a)

    status, body = _put(api_as, agent, agent, "online")

    assert status == 200
    assert body["status"] == "online"
    assert body["agent"] == {"id": agent.pk, "name": "Sari"}
    assert (body["chat_capacity"], body["other_capacity"], body["languages"]) == (
        3,
        10,
        ["id", "en"],
    )
    assert Ticket.objects.get(pk=waiting.pk).assignee == agent
    mine = api_as(agent).get("/api/presence").json()
    assert mine["status"] == "online"


def test_an_outsider_cannot_change_another_agents_presence(
    api_as: ApiClient, agent: User, outsider: User
) -> None:
    online(agent)

    status, body = _put(api_as, outsider, agent, "offline")

    assert status == 403
    assert body["detail"] == "You may not change another agent's presence."
    assert AgentPresence.objects.get(user=agent).status == Presence.ONLINE


def test_a_supervisor_of_the_team_may(api_as: ApiClient, agent: User, supervisor: User) -> None:
    status, body = _put(api_as, supervisor, agent, "away")

    assert status == 200
    assert body["status"] == "away"


def test_an_unknown_presence_is_refused_with_the_field(api_as: ApiClient, agent: User) -> None:
    status, body = _put(api_as, agent, agent, "busy")

    assert status == 400
    assert body["errors"][0]["field"] == "status"
    assert not AgentPresence.objects.exists()


def test_an_unknown_agent_is_not_found(api_as: ApiClient, agent: User) -> None:
    response = api_as(agent).put(
        "/api/agents/999999/presence", {"status": "online"}, content_type="application/json"
    )

    assert response.status_code == 404


def test_the_queue_lists_my_teams_waiting_conversations_oldest_first_by_pages(
    api_as: ApiClient, team_a: Team, team_b: Team, agent: User, outsider: User
) -> None:
    routes(team_a)
    routes(team_b)
    ours = [factories.make_ticket(team=team_a) for _ in range(3)]
    factories.make_ticket(team=team_b)

    first = api_as(agent).get("/api/queue?size=2").json()
    second = api_as(agent).get(f"/api/queue?size=2&cursor={first['next_cursor']}").json()

    listed = [item["ticket"]["id"] for item in first["items"] + second["items"]]
    assert listed == [t.pk for t in ours]
    assert second["next_cursor"] is None
    assert first["items"][0]["team"] == {"id": team_a.pk, "name": team_a.name}
    assert api_as(outsider).get(f"/api/queue?team={team_a.pk}").json()["items"] == []
