"""Agents are online, away or offline; silence turns them offline, a desk page brings them back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from sigap.accounts.models import Team, User
from sigap.core.errors import InvalidInput, NotAllowed
from sigap.core.jobs import run_due_jobs
from sigap.routing.models import AgentPresence, Presence
from sigap.routing.services import presence_seen, presence_set
from tests.routing.helpers import routes

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def _status(user: User) -> str:
    return AgentPresence.objects.get(user=user).status


def test_an_agent_moves_between_online_away_and_offline(agent: User) -> None:
    with time_machine.travel(T0, tick=False):
        presence = presence_set(user=agent, status=Presence.ONLINE, by=agent)
    assert (presence.status, presence.last_seen) == (Presence.ONLINE, T0)

    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        presence_set(user=agent, status=Presence.AWAY, by=agent)
    assert _status(agent) == Presence.AWAY

    presence_set(user=agent, status=Presence.OFFLINE, by=agent)
    assert _status(agent) == Presence.OFFLINE


def test_an_unknown_presence_is_refused(agent: User) -> None:
    with pytest.raises(InvalidInput, match="Unknown presence busy"):
        presence_set(user=agent, status="busy", by=agent)
    assert not AgentPresence.objects.exists()


def test_silence_turns_an_agent_offline_by_the_executor(agent: User, teammate: User) -> None:
    with time_machine.travel(T0, tick=False):
        presence_set(user=agent, status=Presence.ONLINE, by=agent)
        presence_set(user=teammate, status=Presence.AWAY, by=teammate)
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        presence_seen(user=agent)

    with time_machine.travel(T0 + timedelta(minutes=5, seconds=1), tick=False):
        run_due_jobs()
    assert (_status(agent), _status(teammate)) == (Presence.ONLINE, Presence.OFFLINE)

    with time_machine.travel(T0 + timedelta(minutes=8, seconds=1), tick=False):
        run_due_jobs()
    assert _status(agent) == Presence.OFFLINE


def test_a_desk_page_brings_back_an_agent_turned_offline_for_silence(agent: User) -> None:
    with time_machine.travel(T0, tick=False):
        presence_set(user=agent, status=Presence.ONLINE, by=agent)
    with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
        run_due_jobs()
        assert _status(agent) == Presence.OFFLINE
        presence_seen(user=agent)
    assert _status(agent) == Presence.ONLINE


def test_an_agent_who_chose_away_or_offline_stays_so(agent: User, teammate: User) -> None:
    presence_set(user=agent, status=Presence.OFFLINE, by=agent)
    presence_set(user=teammate, status=Presence.AWAY, by=teammate)

    presence_seen(user=agent)
    presence_seen(user=teammate)

    assert (_status(agent), _status(teammate)) == (Presence.OFFLINE, Presence.AWAY)


def test_a_first_sign_of_life_makes_a_new_agent_online(agent: User) -> None:
    presence_seen(user=agent)

    assert _status(agent) == Presence.ONLINE


def test_an_outsider_cannot_change_another_agents_presence(
    agent: User, outsider: User, teammate: User
) -> None:
    for intruder in (outsider, teammate):
        with pytest.raises(NotAllowed):
            presence_set(user=agent, status=Presence.ONLINE, by=intruder)
    assert not AgentPresence.objects.filter(user=agent).exists()


def test_a_supervisor_of_the_team_may_set_an_agents_presence(
    team_a: Team, agent: User, supervisor: User
) -> None:
    routes(team_a)
    presence_set(user=agent, status=Presence.AWAY, by=supervisor)

    assert _status(agent) == Presence.AWAY
