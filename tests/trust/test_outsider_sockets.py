"""Live sockets tried by outsiders: another team's agent and supervisor on the inbox socket,
and a chat visitor holding someone else's token or another widget's."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from sigap.accounts.models import Role, Team, User
from sigap.chat.models import ChatWidget
from sigap.core.jobs import run_due_jobs
from sigap.tickets.models import Priority, Ticket
from sigap.tickets.services import (
    ticket_add_note,
    ticket_change_priority,
    ticket_reply,
)
from tests import factories
from tests.chat.conftest import (
    SHOP,
    inbox_socket,
    run,
    say_hello,
    session_cookie,
    visitor_socket,
)

# Notices are sent when the transaction commits, so commits must be real.
pytestmark = pytest.mark.django_db(transaction=True)


def test_an_outsiders_inbox_socket_hears_nothing_of_another_teams_tickets(
    agent: User, outsider: User, team_a: Team, team_b: Team
) -> None:
    outsider_supervisor = factories.make_user("yoga", Role.SUPERVISOR, [team_b])
    cookies = {
        "agent": session_cookie(agent),
        "outsider": session_cookie(outsider),
        "outsider_supervisor": session_cookie(outsider_supervisor),
    }
    ticket = factories.make_ticket(team=team_a, assignee=agent)

    async def scenario() -> dict[str, Any]:
        sockets = {name: inbox_socket(cookie) for name, cookie in cookies.items()}
        for socket in sockets.values():
            assert (await socket.connect())[0]
        # Everything that tells team A's sockets about a ticket of theirs.
        ours = await sync_to_async(factories.make_ticket)(team=team_a)
        await sync_to_async(ticket_add_note)(ticket=ticket, by=agent, body="Cek stok gudang.")
        await sync_to_async(ticket_reply)(ticket=ticket, by=agent, body="Sedang kami cek.")
        await sync_to_async(ticket_change_priority)(
            ticket=ticket, by=agent, priority=Priority.URGENT
        )
        # Then one of team B's: had the outsiders heard any of team A's, it would come first.
        theirs = await sync_to_async(factories.make_ticket)(team=team_b)
        heard: dict[str, Any] = {"ours": ours.pk, "theirs": theirs.pk, "agent": []}
        for _ in range(4):
            heard["agent"].append(await sockets["agent"].receive_json_from(timeout=5))
        for name in ("outsider", "outsider_supervisor"):
            heard[name] = await sockets[name].receive_json_from(timeout=5)
            heard[f"{name} then"] = await sockets[name].receive_nothing(timeout=0.3)
        for socket in sockets.values():
            await socket.disconnect()
        return heard

    heard = run(scenario)

    assert {frame["ticket"] for frame in heard["agent"]} == {heard["ours"], ticket.pk}
    for name in ("outsider", "outsider_supervisor"):
        assert heard[name] == {"event": "created", "ticket": heard["theirs"]}, name
        assert heard[f"{name} then"] is True, name


def test_an_inbox_socket_of_an_account_without_a_role_hears_nothing(
    agent: User, team_a: Team
) -> None:
    nobody = User.objects.create_user("tamu", "tamu@desk.example", factories.PASSWORD)
    cookie = session_cookie(nobody)

    async def scenario() -> bool:
        socket = inbox_socket(cookie)
        assert (await socket.connect())[0]
        await sync_to_async(factories.make_ticket)(team=team_a)
        await sync_to_async(factories.make_ticket)(team=None)
        silent: bool = await socket.receive_nothing(timeout=0.5)
        await socket.disconnect()
        return silent

    assert run(scenario) is True


async def _frames(socket: Any) -> list[dict[str, Any]]:
    """Every message frame the socket gets until it falls quiet."""
    frames = [await socket.receive_json_from(timeout=5)]
    while not await socket.receive_nothing(timeout=0.5):
        frames.append(await socket.receive_json_from(timeout=5))
    return [frame for frame in frames if frame.get("type") == "message"]


def _one_off(token: str) -> str:
    """The token with its last character changed (to another one: a random token may end in A)."""
    return token[:-1] + ("B" if token.endswith("A") else "A")


def test_a_visitor_holding_another_conversations_token_gets_nothing_of_it(
    team_a: Team, team_b: Team, agent: User
) -> None:
    ChatWidget.objects.create(key="toko", name="Toko", team=team_a, allowed_origins=SHOP)
    other_site = "https://grosir.example"
    ChatWidget.objects.create(key="grosir", name="Grosir", team=team_b, allowed_origins=other_site)

    async def scenario() -> dict[str, Any]:
        owner = visitor_socket("toko")
        welcome = await say_hello(owner)
        await owner.send_json_to({"type": "message", "body": "Alamat saya Jl. Kenanga 7"})
        await _frames(owner)  # the echo of their own message
        token = welcome["token"]
        # Another widget's page holding the token, and someone on the same widget who only
        # has a token of their own.
        elsewhere = visitor_socket("grosir", origin=other_site)
        stranger = visitor_socket("toko")
        seen: dict[str, Any] = {
            "token": token,
            "elsewhere": await say_hello(elsewhere, token=token),
            "stranger": await say_hello(stranger),
            # A token one character off is a guess, not the owner's.
            "guess": await say_hello(visitor_socket("toko"), token=_one_off(token)),
        }
        ticket = await sync_to_async(Ticket.objects.get)(team=team_a)
        await sync_to_async(ticket_add_note)(ticket=ticket, by=agent, body="Voucher KNG-7731")
        await sync_to_async(ticket_reply)(ticket=ticket, by=agent, body="Baik, kami kirim.")
        await sync_to_async(run_due_jobs)()
        seen["owner hears"] = await _frames(owner)
        seen["elsewhere hears"] = await elsewhere.receive_nothing(timeout=0.3)
        seen["stranger hears"] = await stranger.receive_nothing(timeout=0.3)
        for socket in (owner, elsewhere, stranger):
            await socket.disconnect()
        return seen

    seen = run(scenario)

    # The reply reaches its owner; the note never reaches even them.
    assert [f["message"]["body"] for f in seen["owner hears"]] == ["Baik, kami kirim."]
    for name in ("elsewhere", "stranger", "guess"):
        assert seen[name]["messages"] == [], name
        assert seen[name]["visitor"] == {"name": "", "email": ""}, name
        assert seen[name]["token"] not in ("", seen["token"]), name  # a new visitor of their own
    assert seen["elsewhere hears"] is True
    assert seen["stranger hears"] is True


@pytest.mark.parametrize("change", ["moved to team B", "role taken away", "deactivated"])
def test_an_open_socket_stops_hearing_a_team_its_agent_no_longer_sees(
    agent: User, team_a: Team, team_b: Team, change: str
) -> None:
    cookie = session_cookie(agent)

    def take_access() -> None:
        if change == "moved to team B":
            agent.teams.set([team_b])
        elif change == "role taken away":
            agent.groups.clear()
        else:
            agent.is_active = False
            agent.save(update_fields=["is_active"])

    async def scenario() -> dict[str, Any]:
        socket = inbox_socket(cookie)
        assert (await socket.connect())[0]
        before = await sync_to_async(factories.make_ticket)(team=team_a)
        heard_before = await socket.receive_json_from(timeout=5)
        await sync_to_async(take_access)()
        await asyncio.sleep(0.3)  # the socket takes the change in
        after = await sync_to_async(factories.make_ticket)(team=team_a)
        seen = {"before": before.pk, "heard before": heard_before, "after": after.pk, "out": []}
        while not await socket.receive_nothing(timeout=0.5):
            seen["out"].append(await socket.receive_output())
        await socket.disconnect()
        return seen

    seen = run(scenario)

    assert seen["heard before"] == {"event": "created", "ticket": seen["before"]}
    if change == "deactivated":  # the socket is closed, as signing in again would be refused
        assert seen["out"] == [{"type": "websocket.close", "code": 4401}]
    else:
        assert seen["out"] == []
