from __future__ import annotations

from django.test import Client

from sigap.accounts.models import Team, User
from tests.factories import make_ticket


def test_an_unknown_address_tells_nothing_about_the_sites_routes(
    client: Client, agent: User
) -> None:
    client.force_login(agent)

    response = client.get("/no/such/page")

    assert response.status_code == 404
    page = response.content.decode()
    assert "There is nothing at this address" in page
    assert "tried" not in page
    assert "tickets/&lt;int:pk&gt;" not in page


def test_another_teams_ticket_reads_as_missing(
    client: Client, outsider: User, team_a: Team
) -> None:
    ticket = make_ticket(team=team_a)
    client.force_login(outsider)

    response = client.get(f"/tickets/{ticket.pk}/")

    assert response.status_code == 404
    assert "or you may not see it" in response.content.decode()
    assert ticket.subject not in response.content.decode()
