"""Nobody can answer live: the widget says so, and the chat becomes an email ticket that is
answered by mail, with everything written in the chat kept."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from sigap.accounts.models import Role, User
from sigap.chat.models import ChatWidget
from sigap.core.jobs import run_due_jobs
from sigap.routing.models import Presence
from sigap.routing.services import presence_set
from sigap.sla.models import Timer, TimerKind, TimerState
from sigap.tickets.events import EventKind
from sigap.tickets.models import Channel, Ticket
from sigap.tickets.services import ticket_reply
from tests import factories
from tests.chat.conftest import SHOP, run, say_hello, visitor_socket
from tests.smtp import smtp_server
from tests.web.pages import text

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quiet_widget(db: None) -> ChatWidget:
    """A widget whose team has nobody who can answer."""
    team = factories.make_team("Malam")
    return ChatWidget.objects.create(key="malam", name="Malam", team=team, allowed_origins=SHOP)


def test_the_widget_says_honestly_that_nobody_is_there(quiet_widget: ChatWidget) -> None:
    async def scenario() -> dict[str, Any]:
        socket = visitor_socket("malam")
        welcome = await say_hello(socket)
        await socket.disconnect()
        return welcome

    assert run(scenario)["available"] is False
    answer = Client().get("/chat/malam/config/?language=en", HTTP_ORIGIN=SHOP)
    assert answer.json()["available"] is False
    assert "answer you by email" in answer.json()["texts"]["unavailable"]


def test_the_chat_becomes_an_email_ticket_answered_by_mail(
    quiet_widget: ChatWidget, settings: Any
) -> None:
    async def scenario() -> list[dict[str, Any]]:
        socket = visitor_socket("malam")
        await say_hello(socket)
        await socket.send_json_to({"type": "message", "body": "Apakah toko buka besok?"})
        frames = [await socket.receive_json_from(timeout=5) for _frame in range(2)]
        await socket.send_json_to(
            {"type": "email", "email": "Wati@Mail.Example", "body": "Saya tunggu jawabannya."}
        )
        frames.append(await socket.receive_json_from(timeout=5))
        frames.append(await socket.receive_json_from(timeout=5))
        await socket.disconnect()
        return frames

    frames = run(scenario)

    # Written into a chat nobody can take: the widget is told, and offers email again.
    assert frames[0] == {"type": "status", "available": False}
    assert [frame["type"] for frame in frames[1:]] == ["message", "message", "moved"]
    assert frames[3]["email"] == "wati@mail.example"
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.EMAIL
    assert ticket.identity is not None
    assert ticket.identity.value == "wati@mail.example"
    bodies = list(ticket.messages.order_by("pk").values_list("body_text", flat=True))
    assert bodies == ["Apakah toko buka besok?", "Saya tunggu jawabannya."]
    switch = ticket.events.get(kind=EventKind.CHANNEL_CHANGED)
    assert switch.data["from"] == "chat"
    assert switch.data["to"] == "email"
    # The live-chat minute no longer applies; the email hour does.
    running = Timer.objects.filter(ticket=ticket, state=TimerState.RUNNING)
    assert set(running.values_list("kind", flat=True)) >= {TimerKind.FIRST_RESPONSE}
    first = running.get(kind=TimerKind.FIRST_RESPONSE)
    assert first.target_seconds == 3600

    supervisor = factories.make_user("malam", Role.AGENT, [ticket.team])  # type: ignore[list-item]
    with smtp_server() as (port, received):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        ticket_reply(ticket=ticket, by=supervisor, body="Buka jam 9 pagi, kak.")
        assert run_due_jobs() == 1
    assert len(received.messages) == 1
    mail = received.messages[0]
    assert mail["To"] == "wati@mail.example"
    assert "Buka jam 9 pagi, kak." in mail.get_payload(decode=True).decode()


def test_the_switch_is_on_the_tickets_timeline(quiet_widget: ChatWidget, manager: User) -> None:
    async def scenario() -> None:
        socket = visitor_socket("malam")
        await say_hello(socket)
        await socket.send_json_to(
            {"type": "email", "email": "budi@mail.example", "body": "Tolong kabari saya."}
        )
        await socket.receive_json_from(timeout=5)
        await socket.receive_json_from(timeout=5)
        await socket.disconnect()

    run(scenario)
    client = Client()
    client.force_login(manager)

    page = text(client.get(f"/tickets/{Ticket.objects.get().pk}/"))

    assert "moved the conversation to another channel from Live chat to Email" in page


def test_no_email_or_a_bad_one_is_refused_and_nothing_is_lost(quiet_widget: ChatWidget) -> None:
    async def scenario() -> list[dict[str, Any]]:
        socket = visitor_socket("malam")
        await say_hello(socket)
        await socket.send_json_to({"type": "message", "body": "Halo?"})
        await socket.receive_json_from(timeout=5)  # nobody can answer
        await socket.receive_json_from(timeout=5)  # the message itself
        frames = []
        for email in ("", "bukan-alamat"):
            await socket.send_json_to({"type": "email", "email": email})
            frames.append(await socket.receive_json_from(timeout=5))
        await socket.disconnect()
        return frames

    frames = run(scenario)

    assert [frame["field"] for frame in frames] == ["email", "email"]
    assert frames[1]["message"] == "bukan-alamat is not a valid email address."
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.CHAT
    assert ticket.messages.get().body_text == "Halo?"


def test_when_the_last_agent_leaves_mid_chat_the_visitor_is_told(
    widget: ChatWidget, agent: User
) -> None:
    async def scenario() -> list[dict[str, Any]]:
        socket = visitor_socket()
        welcome = await say_hello(socket)
        await socket.send_json_to({"type": "message", "body": "Halo, ada orang?"})
        frames = [welcome, await socket.receive_json_from(timeout=5)]
        await sync_to_async(presence_set)(user=agent, status=Presence.OFFLINE, by=agent)
        await socket.send_json_to({"type": "message", "body": "Halo?"})
        frames.append(await socket.receive_json_from(timeout=5))
        frames.append(await socket.receive_json_from(timeout=5))
        await socket.disconnect()
        return frames

    welcome, first, told, second = run(scenario)

    assert welcome["available"] is True
    assert first["message"]["body"] == "Halo, ada orang?"
    assert told == {"type": "status", "available": False}
    assert second["message"]["body"] == "Halo?"
