"""An open desk page (its inbox socket) keeps an agent online; supervisors hear at once when a
conversation has to wait in the team queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from sigap.accounts.models import Team, User
from sigap.routing.models import AgentPresence, Presence
from sigap.routing.services import presence_set
from sigap.server import application
from tests import factories
from tests.routing.helpers import routes

# Notices are published when the transaction commits, so commits must be real.
pytestmark = pytest.mark.django_db(transaction=True)

LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def _socket(user: User) -> WebsocketCommunicator:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    headers = [
        (b"origin", b"http://localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode()),
    ]
    return WebsocketCommunicator(application, "/ws/inbox/", headers=headers)


def test_opening_the_desk_marks_the_agent_online_and_pings_keep_them_so(agent: User) -> None:
    socket = _socket(agent)

    async def scenario() -> tuple[str, datetime | None]:
        assert (await socket.connect())[0]
        status = (await sync_to_async(AgentPresence.objects.get)(user=agent)).status
        await sync_to_async(AgentPresence.objects.filter(user=agent).update)(last_seen=LONG_AGO)
        await socket.send_json_to({"type": "presence.ping"})
        await socket.receive_nothing(timeout=0.5)
        seen = (await sync_to_async(AgentPresence.objects.get)(user=agent)).last_seen
        await socket.disconnect()
        return status, seen

    status, seen = async_to_sync(scenario)()

    assert status == Presence.ONLINE
    assert seen is not None
    assert seen > LONG_AGO


def test_a_supervisor_hears_when_a_conversation_waits(
    team_a: Team, agent: User, supervisor: User
) -> None:
    routes(team_a)
    # Away, so the supervisor's own open page does not make them the free agent.
    presence_set(user=supervisor, status=Presence.AWAY, by=supervisor)
    socket = _socket(supervisor)

    async def scenario() -> tuple[list[dict[str, Any]], int]:
        assert (await socket.connect())[0]
        ticket = await sync_to_async(factories.make_ticket)(team=team_a)
        heard = [await socket.receive_json_from(timeout=5) for _ in range(2)]
        await socket.disconnect()
        return heard, ticket.pk

    heard, ticket_id = async_to_sync(scenario)()

    queued = [notice for notice in heard if notice["event"] == "queued"]
    assert queued == [{"event": "queued", "ticket": ticket_id, "reference": f"SGP-{ticket_id:06d}"}]
