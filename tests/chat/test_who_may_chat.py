"""Only the shop's own pages open its chat, a visitor is their token and nothing else, and
nobody reads a conversation that is not theirs: not another visitor, not an outsider agent."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from sigap.accounts.models import Team, User
from sigap.chat.models import ChatVisitor, ChatWidget
from sigap.tickets.models import Ticket
from tests.chat.conftest import (
    inbox_socket,
    run,
    say_hello,
    session_cookie,
    visitor_socket,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("key", "origin"),
    [
        ("toko", "http://evil.example"),
        ("toko", "http://toko.example.evil.example"),
        ("toko", None),
        ("no-such-widget", "http://toko.example"),
    ],
)
def test_a_page_of_another_site_or_an_unknown_widget_cannot_open_the_chat(
    widget: ChatWidget, key: str, origin: str | None
) -> None:
    async def scenario() -> tuple[bool, Any]:
        socket = visitor_socket(key, origin=origin)
        connected, code = await socket.connect()
        await socket.disconnect()
        return connected, code

    assert run(scenario) == (False, 4403)


def test_an_inactive_widget_is_closed(widget: ChatWidget) -> None:
    widget.is_active = False
    widget.save()

    async def scenario() -> tuple[bool, Any]:
        socket = visitor_socket()
        connected, code = await socket.connect()
        await socket.disconnect()
        return connected, code

    assert run(scenario) == (False, 4403)


def test_the_token_is_kept_only_as_a_hash(widget: ChatWidget) -> None:
    async def scenario() -> str:
        socket = visitor_socket()
        welcome = await say_hello(socket)
        await socket.disconnect()
        return str(welcome["token"])

    token = run(scenario)

    stored = ChatVisitor.objects.get()
    assert token not in {stored.token_hash, stored.public_id}
    assert len(stored.token_hash) == 64


def test_a_guessed_or_foreign_token_opens_nothing(widget: ChatWidget, team_b: Team) -> None:
    ChatWidget.objects.create(
        key="korporat", name="B", team=team_b, allowed_origins="http://b.example"
    )

    async def scenario() -> dict[str, Any]:
        owner = visitor_socket()
        welcome = await say_hello(owner)
        await owner.send_json_to({"type": "message", "body": "Alamat saya Jl. Melati 5."})
        await owner.receive_json_from(timeout=5)
        await owner.disconnect()
        token = welcome["token"]
        guesses = {}
        for name, guess in {
            "altered": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
            "empty": "",
            "not a token": "../../1",
            "visitor id": str(await sync_to_async(lambda: ChatVisitor.objects.get().pk)()),
        }.items():
            socket = visitor_socket()
            guesses[name] = await say_hello(socket, token=guess)
            await socket.disconnect()
        elsewhere = visitor_socket("korporat", origin="http://b.example")
        guesses["other widget"] = await say_hello(elsewhere, token=token)
        await elsewhere.disconnect()
        return guesses

    guesses = run(scenario)

    for name, welcome in guesses.items():
        assert welcome["messages"] == [], name
        assert welcome["token"], name  # a fresh visitor of their own
        assert welcome["visitor"] == {"name": "", "email": ""}, name


def test_the_desks_session_cookie_does_not_make_a_visitor(widget: ChatWidget, agent: User) -> None:
    cookie = session_cookie(agent)

    async def scenario() -> dict[str, Any]:
        socket = visitor_socket(cookie=cookie)
        welcome = await say_hello(socket)
        await socket.disconnect()
        return welcome

    welcome = run(scenario)

    assert welcome["messages"] == []
    assert welcome["visitor"] == {"name": "", "email": ""}


def test_an_agent_outside_the_team_hears_nothing_of_its_chats(
    widget: ChatWidget, agent: User, outsider: User
) -> None:
    insider_cookie = session_cookie(agent)
    outsider_cookie = session_cookie(outsider)

    async def scenario() -> dict[str, Any]:
        insider = inbox_socket(insider_cookie)
        stranger = inbox_socket(outsider_cookie)
        assert (await insider.connect())[0]
        assert (await stranger.connect())[0]
        visitor = visitor_socket()
        await say_hello(visitor)
        await visitor.send_json_to({"type": "message", "body": "Halo?"})
        await visitor.receive_json_from(timeout=5)
        heard = await insider.receive_json_from(timeout=5)
        silent = await stranger.receive_nothing(timeout=0.5)
        for socket in (visitor, insider, stranger):
            await socket.disconnect()
        return {"heard": heard, "silent": silent}

    seen = run(scenario)

    assert seen["heard"]["ticket"] == Ticket.objects.get().pk
    assert seen["silent"] is True


def test_an_outsider_cannot_open_the_chat_ticket_page(
    widget: ChatWidget, outsider: User, client: Any
) -> None:
    async def scenario() -> None:
        visitor = visitor_socket()
        await say_hello(visitor)
        await visitor.send_json_to({"type": "message", "body": "Rahasia pesanan saya."})
        await visitor.receive_json_from(timeout=5)
        await visitor.disconnect()

    run(scenario)
    client.force_login(outsider)

    response = client.get(f"/tickets/{Ticket.objects.get().pk}/")

    assert response.status_code == 404
    assert "Rahasia" not in response.content.decode()
