"""Admins edit policies and calendars in the admin site as YAML; mistakes are refused there."""

from __future__ import annotations

from django.test import Client

from sigap.accounts.models import User
from sigap.sla.configuration import DEFAULT_POLICY_FILE, policy_for_team
from sigap.sla.models import Policy


def test_an_admin_saves_a_policy_and_a_bad_one_is_refused(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    good = DEFAULT_POLICY_FILE.read_text().replace("first_response: 5m", "first_response: 3m")

    refused = client.post(
        "/admin/sla/policy/add/",
        {"source": good.replace("first_response: 3m", "first_response: 0m")},
    )
    assert refused.status_code == 200
    assert "targets[1].first_response" in refused.content.decode()
    assert not Policy.objects.exists()

    saved = client.post("/admin/sla/policy/add/", {"source": good})
    assert saved.status_code == 302
    social = policy_for_team(None).target_for("social", "normal")
    assert social is not None
    assert social.first_response == 180


def test_an_agent_cannot_open_the_policy_admin(client: Client, agent: User) -> None:
    client.force_login(agent)

    assert client.get("/admin/sla/policy/").status_code == 302
