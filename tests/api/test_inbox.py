from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sigap.accounts.models import Team, User
from sigap.tickets.models import Channel, Priority, Ticket
from sigap.tickets.services import ticket_assign, ticket_change_status
from tests.api.conftest import ApiClient
from tests.factories import make_ticket


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_inbox_lists_visible_tickets_newest_change_first(
    agent: User, team_a: Team, team_b: Team, api_as: ApiClient
) -> None:
    older = make_ticket(team=team_a)
    newer = make_ticket(team=team_a)
    make_ticket(team=team_b)

    response = api_as(agent).get("/api/tickets")

    assert _ids(response) == [newer.pk, older.pk]
    first = response.json()["items"][0]
    assert first["reference"] == newer.reference
    assert first["team"] == {"id": team_a.pk, "name": "Pelanggan Retail"}
    assert response.json()["next_cursor"] is None


def test_inbox_filters_like_the_web_inbox(
    agent: User, teammate: User, team_a: Team, api_as: ApiClient
) -> None:
    urgent_chat = make_ticket(team=team_a, channel=Channel.CHAT, priority=Priority.URGENT)
    mine = make_ticket(team=team_a)
    ticket_assign(ticket=mine, by=agent, assignee=agent)
    theirs = make_ticket(team=team_a)
    ticket_assign(ticket=theirs, by=agent, assignee=teammate)
    closed = make_ticket(team=team_a, subject="Tagihan ganda")
    ticket_change_status(ticket=closed, by=agent, status="closed")
    client = api_as(agent)

    assert _ids(client.get("/api/tickets?view=mine")) == [mine.pk]
    assert _ids(client.get("/api/tickets?view=unassigned")) == [urgent_chat.pk]
    assert _ids(client.get("/api/tickets?channel=chat&priority=urgent")) == [urgent_chat.pk]
    assert _ids(client.get(f"/api/tickets?assignee={teammate.pk}")) == [theirs.pk]
    assert _ids(client.get("/api/tickets?status=closed")) == [closed.pk]
    assert _ids(client.get("/api/tickets?status=any&q=tagihan")) == [closed.pk]
    assert _ids(client.get(f"/api/tickets?status=any&q={closed.reference}")) == [closed.pk]


def test_the_cursor_walks_every_ticket_once(agent: User, team_a: Team, api_as: ApiClient) -> None:
    tickets = [make_ticket(team=team_a) for _ in range(5)]
    client = api_as(agent)

    walked: list[int] = []
    cursor = ""
    while True:
        response = client.get(f"/api/tickets?size=2&cursor={cursor}")
        walked += _ids(response)
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break

    assert walked == [t.pk for t in reversed(tickets)]


@pytest.mark.parametrize(
    ("query", "field", "detail"),
    [
        ("cursor=not-a-cursor", "cursor", "This page link is not valid."),
        (
            "view=everything",
            "view",
            "everything is not a valid view; choose one of: mine, team, unassigned, all.",
        ),
        ("size=500", "size", "size must be between 1 and 100."),
        ("team=retail", "team", "team must be a number, not retail."),
        ("assignee=%C2%B2", "assignee", "assignee must be a number, not \u00b2."),
    ],
)
def test_bad_inbox_parameters_are_400_with_the_reason(
    agent: User, api_as: ApiClient, query: str, field: str, detail: str
) -> None:
    response = api_as(agent).get(f"/api/tickets?{query}")

    assert response.status_code == 400
    assert (response.json()["field"], response.json()["detail"]) == (field, detail)


@pytest.mark.parametrize("count", [5, 50])
def test_a_page_costs_the_same_queries_however_many_tickets(
    agent: User,
    teammate: User,
    team_a: Team,
    api_as: ApiClient,
    count: int,
    django_assert_max_num_queries: Any,
) -> None:
    for number in range(count):
        ticket = make_ticket(team=team_a)
        if number % 2:
            ticket_assign(ticket=ticket, by=agent, assignee=teammate)
    client: Client = api_as(agent)
    client.get("/api/me")  # the token's first use is recorded once; later calls only read

    with django_assert_max_num_queries(5):
        response = client.get("/api/tickets?size=100")

    assert len(_ids(response)) == count


def test_tickets_of_my_team_only_even_when_asking_for_another_team(
    agent: User, team_b: Team, api_as: ApiClient
) -> None:
    hidden: Ticket = make_ticket(team=team_b)

    response = api_as(agent).get(f"/api/tickets?team={team_b.pk}&status=any")

    assert hidden.pk not in _ids(response)
