from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sigap.accounts.models import Team, User
from sigap.tickets.models import Category
from sigap.tickets.services import ticket_change_category
from tests import factories
from tests.web.pages import listed_references


def _tickets(count: int, team: Team, agent: User, category: Category) -> None:
    for number in range(count):
        ticket = factories.make_ticket(
            team=team, assignee=agent if number % 2 else None, subject=f"Keluhan {number}"
        )
        ticket_change_category(ticket=ticket, by=agent, category=category)


def test_a_page_of_50_costs_the_same_queries_as_a_page_of_5(
    client: Client,
    agent: User,
    team_a: Team,
    django_assert_max_num_queries: Callable[[int], AbstractContextManager[Any]],
) -> None:
    category = factories.make_category("Barang rusak")
    client.force_login(agent)
    _tickets(5, team_a, agent, category)
    with CaptureQueriesContext(connection) as five:
        assert len(listed_references(client.get("/?size=50"))) == 5

    _tickets(45, team_a, agent, category)

    with django_assert_max_num_queries(len(five)) as fifty:
        assert len(listed_references(client.get("/?size=50"))) == 50
    assert len(fifty.captured_queries) == len(five)


def _tables_read(queries: CaptureQueriesContext) -> list[str]:
    return [re.findall(r'FROM "(\w+)"', query["sql"])[0] for query in queries.captured_queries]


def test_a_live_refresh_of_the_list_reads_the_tickets_but_no_filter_choices(
    client: Client, manager: User, team_a: Team, agent: User
) -> None:
    category = factories.make_category("Barang rusak")
    _tickets(3, team_a, agent, category)
    client.force_login(manager)

    with CaptureQueriesContext(connection) as refresh:
        response = client.get("/inbox/list/", HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as full_page:
        client.get("/")

    assert len(listed_references(response)) == 3
    read = _tables_read(refresh)
    assert "tickets_ticket" in read
    # Teams, agents and categories are offered only by the page's filter form.
    assert [table for table in read if table in {"accounts_team", "tickets_category"}] == []
    assert read.count("accounts_user") == 1  # the signed-in manager, not the list of agents
    assert "tickets_category" in _tables_read(full_page)
