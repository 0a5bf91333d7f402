"""The presence control in the header of every desk page, and the team queue page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from sigap.accounts.models import Team, User
from sigap.routing import selectors
from sigap.routing.models import AgentPresence, Presence
from sigap.tickets.models import Channel
from tests import factories
from tests.conftest import login
from tests.routing.helpers import online, routes
from tests.web.pages import text

pytestmark = pytest.mark.django_db


def _selected_presence(html: str) -> str:
    control = html[html.index('id="presence-select"') :]
    found = re.search(r'<option value="(\w+)" selected>', control)
    assert found is not None
    return found.group(1)


def test_the_header_shows_my_presence_and_changes_it(client: Client, agent: User) -> None:
    login(client, agent)
    assert _selected_presence(client.get("/").content.decode()) == "offline"

    response = client.post("/routing/presence/", {"status": "online", "next": "/customers/"})

    assert response.status_code == 302
    assert response["Location"] == "/customers/"
    assert AgentPresence.objects.get(user=agent).status == Presence.ONLINE
    assert _selected_presence(client.get("/customers/").content.decode()) == "online"


def test_a_presence_form_never_sends_the_agent_elsewhere(client: Client, agent: User) -> None:
    login(client, agent)

    response = client.post(
        "/routing/presence/", {"status": "away", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"
    assert AgentPresence.objects.get(user=agent).status == Presence.AWAY


def test_an_unknown_presence_is_explained_and_nothing_changes(client: Client, agent: User) -> None:
    login(client, agent)

    page = client.post("/routing/presence/", {"status": "busy", "next": "/"}, follow=True)

    assert "Unknown presence busy" in page.content.decode()
    assert not AgentPresence.objects.exists()


def test_the_queue_page_lists_waiting_conversations_oldest_first_by_pages(
    client: Client, team_a: Team, agent: User, monkeypatch: Any
) -> None:
    routes(team_a)
    waiting = [factories.make_ticket(team=team_a, subject=f"Paket {n}") for n in range(3)]
    monkeypatch.setattr(selectors, "QUEUE_PAGE_SIZE", 2)
    login(client, agent)

    first = client.get("/routing/queue/").content.decode()
    cursor = re.search(r'cursor=([\w-]+)"', first)
    assert cursor is not None
    second = client.get(f"/routing/queue/?cursor={cursor.group(1)}").content.decode()

    assert first.index(waiting[0].reference) < first.index(waiting[1].reference)
    assert waiting[2].reference not in first
    assert waiting[2].reference in second
    assert waiting[0].reference not in second


def test_the_queue_page_shows_only_my_teams(
    client: Client, team_a: Team, team_b: Team, outsider: User
) -> None:
    routes(team_a)
    theirs = factories.make_ticket(team=team_a)
    login(client, outsider)

    page = client.get("/routing/queue/").content.decode()

    assert theirs.reference not in page
    assert "Nobody is waiting" in page


def test_a_broken_queue_link_is_refused_clearly(client: Client, agent: User) -> None:
    login(client, agent)

    for query in ("cursor=nonsense", "team=abc"):
        response = client.get(f"/routing/queue/?{query}")
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()


def test_the_queue_page_shows_who_can_take_conversations(
    client: Client, team_a: Team, agent: User, teammate: User, outsider: User
) -> None:
    routes(team_a)
    online(agent, chats=3, others=4)
    factories.make_ticket(team=team_a)
    factories.make_ticket(team=team_a, channel=Channel.CHAT)
    login(client, teammate)

    page = text(client.get("/routing/queue/"))

    assert "Who can take conversations" in page
    assert "Sari Online 1 / 3 1 / 4" in page
    assert "Budi Offline 0 / 3 0 / 10" in page
    assert "Rina" not in page
