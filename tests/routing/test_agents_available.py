"""A channel can ask whether anybody would take a conversation now (a chat says so honestly)."""

from __future__ import annotations

import pytest

from sigap.accounts.models import Team, User
from sigap.routing.models import Presence
from sigap.routing.selectors import agents_available
from sigap.routing.services import presence_set
from sigap.tickets.models import Channel
from tests import factories
from tests.routing.helpers import online, routes

pytestmark = pytest.mark.django_db


def test_nobody_is_available_until_an_agent_is_online(team_a: Team, agent: User) -> None:
    assert not agents_available(team_a, channel=Channel.CHAT, language="id")

    online(agent)

    assert agents_available(team_a, channel=Channel.CHAT, language="id")
    assert agents_available(None, channel=Channel.CHAT, language="id")


def test_an_away_or_offline_agent_is_not_available(team_a: Team, agent: User) -> None:
    online(agent)
    presence_set(user=agent, status=Presence.AWAY, by=agent)
    assert not agents_available(team_a, channel=Channel.CHAT, language="id")

    presence_set(user=agent, status=Presence.OFFLINE, by=agent)
    assert not agents_available(team_a, channel=Channel.EMAIL, language="id")


def test_an_agent_of_another_team_does_not_count(team_a: Team, outsider: User) -> None:
    online(outsider)

    assert not agents_available(team_a, channel=Channel.CHAT, language="id")
    assert agents_available(None, channel=Channel.CHAT, language="id")


def test_the_language_must_be_spoken(team_a: Team, agent: User) -> None:
    online(agent, languages="id")

    assert agents_available(team_a, channel=Channel.CHAT, language="id")
    assert not agents_available(team_a, channel=Channel.CHAT, language="en")


def test_a_full_agent_is_not_available_for_that_kind_of_channel(team_a: Team, agent: User) -> None:
    routes(team_a)
    online(agent, chats=1, others=10)
    factories.make_ticket(team=team_a, channel=Channel.CHAT)

    assert not agents_available(team_a, channel=Channel.CHAT, language="id")
    assert agents_available(team_a, channel=Channel.EMAIL, language="id")
