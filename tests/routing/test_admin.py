"""An admin sets each agent's capacity and skills, and each team's strategy, in the admin site."""

from __future__ import annotations

import pytest
from django.test import Client

from sigap.accounts.models import Role, User
from sigap.routing.models import AgentPresence, QueueEntry, TeamRouting
from tests import factories
from tests.routing.helpers import online

pytestmark = pytest.mark.django_db


def test_an_admin_sets_capacity_and_skills_and_a_bad_language_is_refused(
    client: Client, admin_user: User, agent: User
) -> None:
    refunds = factories.make_category("Refund")
    client.force_login(admin_user)
    form = {
        "user": agent.pk,
        "status": "offline",
        "chat_capacity": 2,
        "other_capacity": 6,
        "categories": [refunds.pk],
    }

    refused = client.post("/admin/routing/agentpresence/add/", {**form, "languages": "id,jv"})
    assert refused.status_code == 200
    assert "Unknown language jv" in refused.content.decode()
    assert not AgentPresence.objects.exists()

    saved = client.post("/admin/routing/agentpresence/add/", {**form, "languages": "en"})
    assert saved.status_code == 302
    presence = AgentPresence.objects.get(user=agent)
    assert (presence.chat_capacity, presence.other_capacity, presence.languages) == (2, 6, "en")
    assert list(presence.categories.all()) == [refunds]


def test_a_new_team_routes_until_an_admin_turns_it_off(client: Client, admin_user: User) -> None:
    team_a = factories.make_team("Grosir", routes=True)
    agent = factories.make_user("sari", Role.AGENT, [team_a])
    routing = TeamRouting.objects.get(team=team_a)
    assert routing.is_enabled
    online(agent)
    assert factories.make_ticket(team=team_a).assignee == agent
    client.force_login(admin_user)

    saved = client.post(
        f"/admin/routing/teamrouting/{routing.pk}/change/",
        {"team": team_a.pk, "strategy": "least_loaded"},  # the box left unticked
    )

    assert saved.status_code == 302
    routing.refresh_from_db()
    assert (routing.is_enabled, routing.strategy) == (False, "least_loaded")
    ticket = factories.make_ticket(team=team_a)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert not QueueEntry.objects.exists()


def test_an_agent_cannot_open_the_routing_admin(client: Client, agent: User) -> None:
    client.force_login(agent)

    assert client.get("/admin/routing/agentpresence/").status_code == 302
