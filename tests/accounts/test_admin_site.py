from __future__ import annotations

from django.test import Client

from sigap.accounts.models import User


def test_admin_manages_teams_and_people(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)

    assert client.get("/admin/accounts/team/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/tickets/category/").status_code == 200


def test_agent_is_kept_out_of_the_admin(client: Client, agent: User) -> None:
    client.force_login(agent)

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
