"""An admin sets each agent's capacity and skills, and each team's strategy, in the admin site."""

from __future__ import annotations

import pytest
from django.test import Client

from sigap.accounts.models import Team, User
from sigap.routing.models import AgentPresence, TeamRouting
from tests import factories

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


def test_an_admin_turns_routing_on_for_a_team(
    client: Client, admin_user: User, team_a: Team
) -> None:
    client.force_login(admin_user)

    saved = client.post(
        "/admin/routing/teamrouting/add/",
        {"team": team_a.pk, "is_enabled": "on", "strategy": "least_loaded"},
    )

    assert saved.status_code == 302
    assert TeamRouting.objects.get(team=team_a).strategy == "least_loaded"


def test_an_agent_cannot_open_the_routing_admin(client: Client, agent: User) -> None:
    client.force_login(agent)

    assert client.get("/admin/routing/agentpresence/").status_code == 302
