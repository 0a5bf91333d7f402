from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from sigap.accounts.models import Team, User
from sigap.server import application
from sigap.tickets.services import ticket_add_note
from tests import factories

# The notice is published when the ticket's transaction commits, so commits must be real.
pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


def _signed_in_headers(user: User) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [ORIGIN, (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())]


def _socket(headers: list[tuple[bytes, bytes]]) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/inbox/", headers=headers)


def test_an_agent_hears_of_a_new_ticket_of_their_team_and_the_outsider_does_not(
    agent: User, outsider: User, team_a: Team, team_b: Team
) -> None:
    agent_headers = _signed_in_headers(agent)
    outsider_headers = _signed_in_headers(outsider)

    async def scenario() -> dict[str, Any]:
        agent_socket = _socket(agent_headers)
        outsider_socket = _socket(outsider_headers)
        assert (await agent_socket.connect())[0]
        assert (await outsider_socket.connect())[0]
        ours = await sync_to_async(factories.make_ticket)(team=team_a)
        theirs = await sync_to_async(factories.make_ticket)(team=team_b)
        heard = {
            "agent": await agent_socket.receive_json_from(timeout=5),
            # Sent after team A's ticket: had the outsider been told of that one, it would
            # have arrived first.
            "outsider": await outsider_socket.receive_json_from(timeout=5),
            "ours": ours.pk,
            "theirs": theirs.pk,
        }
        await agent_socket.disconnect()
        await outsider_socket.disconnect()
        return heard

    heard = async_to_sync(scenario)()

    assert heard["agent"] == {"event": "created", "ticket": heard["ours"]}
    assert heard["outsider"] == {"event": "created", "ticket": heard["theirs"]}


def test_a_change_to_a_ticket_is_announced_too(agent: User, team_a: Team) -> None:
    ticket = factories.make_ticket(team=team_a)
    headers = _signed_in_headers(agent)

    async def scenario() -> Any:
        socket = _socket(headers)
        assert (await socket.connect())[0]
        await sync_to_async(ticket_add_note)(ticket=ticket, by=agent, body="Cek stok.")
        notice = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return notice

    assert async_to_sync(scenario)() == {"event": "changed", "ticket": ticket.pk}


def test_an_anonymous_socket_is_closed() -> None:
    async def scenario() -> tuple[bool, Any]:
        socket = _socket([ORIGIN])
        connected, code = await socket.connect()
        await socket.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4401)
