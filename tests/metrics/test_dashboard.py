"""The dashboard page: who may open it, what it shows, and the tickets behind a number."""

from __future__ import annotations

import json
import re

import pytest
import time_machine
from django.test import Client

from sigap.accounts.models import Team, User
from sigap.metrics.drilldown import PAGE_SIZE
from sigap.metrics.refresh import facts_catch_up
from sigap.sops.models import SopVersion
from tests import factories
from tests.conftest import login
from tests.metrics.desk import READ_AT, at, october_desk
from tests.web import pages

pytestmark = pytest.mark.django_db


def test_agents_get_403_and_no_link(client: Client, agent: User) -> None:
    login(client, agent)

    assert client.get("/metrics/").status_code == 403
    assert client.get("/metrics/tickets/?cohort=opened").status_code == 403
    assert 'href="/metrics/"' not in client.get("/").content.decode()


def test_a_supervisor_cannot_look_at_another_team(
    client: Client, supervisor: User, team_b: Team
) -> None:
    login(client, supervisor)

    assert client.get("/metrics/", {"team": team_b.pk}).status_code == 403
    assert 'href="/metrics/"' in client.get("/").content.decode()


def test_the_dashboard_shows_each_number_with_its_definition(
    client: Client, manager: User, team_a: Team, team_b: Team, agent: User, other_agent: User
) -> None:
    october_desk(team_a, team_b, agent, other_agent)
    login(client, manager)

    with time_machine.travel(READ_AT, tick=False):
        response = client.get("/metrics/", {"period": "2026-10"})

    assert response.status_code == 200
    text = pages.text(response)
    assert "First response time 1 h 10 min counted over 3" in text
    assert "Customer satisfaction (CSAT) 50.0 % counted over 2" in text
    assert "SOP step compliance no data counted over 0" in text
    assert "Share of satisfaction answers given in the period that scored 4 or 5" in text
    found = re.search(
        r'<script id="metrics-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found is not None
    data = json.loads(found.group(1))
    assert len(data["trend"]) == 31
    assert sum(p["tickets_opened"] for p in data["trend"]) == 4
    # No inline script: the page's only scripts are files.
    assert re.findall(r"<script(?![^>]*(src=|application/json))", response.content.decode()) == []


def test_drilling_down_lists_the_tickets_behind_a_number(
    client: Client, manager: User, team_a: Team, team_b: Team, agent: User, other_agent: User
) -> None:
    desk = october_desk(team_a, team_b, agent, other_agent)
    login(client, manager)

    with time_machine.travel(READ_AT, tick=False):
        dashboard = client.get("/metrics/", {"period": "2026-10"}).content.decode()
        link = re.search(
            r'<article class="kpi" data-kpi="reopen_rate">.*?href="([^"]+)"', dashboard, re.S
        )
        assert link is not None
        listed = client.get("/metrics/" + link.group(1).replace("&amp;", "&"))

    assert listed.status_code == 200
    assert pages.listed_references(listed) == [desk.t2.reference]
    assert "Reopen rate" in pages.text(listed)


def test_the_drill_down_pages_by_key(
    client: Client, manager: User, team_a: Team, agent: User
) -> None:
    with time_machine.travel(at(10, 3, 9), tick=False):
        made = [factories.make_ticket(team=team_a) for _ in range(PAGE_SIZE + 3)]
        facts_catch_up()
    login(client, manager)

    first = client.get("/metrics/tickets/", {"period": "2026-10", "cohort": "opened"})
    next_link = pages.next_link(first)
    assert next_link is not None
    second = client.get(next_link)

    seen = pages.listed_references(first) + pages.listed_references(second)
    assert sorted(seen) == sorted(t.reference for t in made)
    assert len(pages.listed_references(second)) == 3


def test_a_period_that_does_not_exist_is_explained(client: Client, manager: User) -> None:
    login(client, manager)

    response = client.get("/metrics/", {"period": "2026-13"})

    assert response.status_code == 400
    assert pages.alert(response) == "There is no month 2026-13: months run from 01 to 12."


def test_an_empty_slice_says_so(client: Client, manager: User) -> None:
    login(client, manager)

    response = client.get("/metrics/", {"period": "2026-10", "channel": "social"})

    assert response.status_code == 200
    assert "there is nothing to count, so no figures are shown" in pages.text(response)
    assert "First response time no data counted over 0" in pages.text(response)


def test_a_sop_version_can_be_chosen(
    client: Client, manager: User, team_a: Team, damaged_product: SopVersion
) -> None:
    with time_machine.travel(at(10, 20, 9), tick=False):
        factories.make_ticket(team=team_a)
        factories.make_ticket(team=team_a, subject="Tanya jam buka", body="Buka jam berapa?")
        facts_catch_up()
    login(client, manager)

    chosen = client.get("/metrics/", {"period": "2026-10", "sop_version": damaged_product.pk})
    everything = client.get("/metrics/", {"period": "2026-10"})

    assert f'<option value="{damaged_product.pk}" selected>damaged-product v1</option>' in (
        chosen.content.decode()
    )
    assert "Tickets opened 1 counted over 1" in pages.text(chosen)
    assert "Tickets opened 2 counted over 2" in pages.text(everything)
