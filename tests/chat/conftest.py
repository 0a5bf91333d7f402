"""A shop's chat widget, and visitors talking to it over a real WebSocket to the ASGI app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from sigap.accounts.models import Team, User
from sigap.chat.models import ChatWidget
from sigap.routing.models import Presence
from sigap.routing.services import presence_set
from sigap.server import application

SHOP = "http://toko.example"
# The address a test visitor connects from; the communicator's default.
ADDRESS = "127.0.0.1"


@pytest.fixture
def widget(team_a: Team, agent: User) -> ChatWidget:
    """Team A's widget on the shop's site; its agent is online, so chats are answered live."""
    presence_set(user=agent, status=Presence.ONLINE, by=agent)
    return ChatWidget.objects.create(
        key="toko", name="Toko", team=team_a, allowed_origins=f"{SHOP}\nhttps://toko.example"
    )


def visitor_socket(
    key: str = "toko", *, origin: str | None = SHOP, cookie: str | None = None
) -> WebsocketCommunicator:
    headers = []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, f"/ws/public/chat/{key}/", headers=headers)


async def say_hello(
    socket: WebsocketCommunicator, token: str | None = None, language: str = "en"
) -> dict[str, Any]:
    connected, code = await socket.connect()
    assert connected, code
    await socket.send_json_to({"type": "hello", "token": token, "language": language})
    frame: dict[str, Any] = await socket.receive_json_from(timeout=5)
    return frame


def session_cookie(user: User) -> str:
    """The desk's session cookie of a signed-in user (made before any event loop runs)."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def inbox_socket(cookie: str) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost"), (b"cookie", cookie.encode())]
    return WebsocketCommunicator(application, "/ws/inbox/", headers=headers)


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    return async_to_sync(scenario)()
