"""A visitor chats through the widget's socket; the desk sees a chat ticket and answers it."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from sigap.accounts.models import User
from sigap.chat.models import ChatWidget
from sigap.core.jobs import run_due_jobs
from sigap.customers.models import IdentityKind
from sigap.tickets.models import Channel, DeliveryStatus, Message, Ticket
from sigap.tickets.services import ticket_add_note, ticket_reply
from tests.chat.conftest import inbox_socket, run, say_hello, session_cookie, visitor_socket

# Live notices are published when a transaction commits, so commits must be real.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitors_first_message_opens_a_chat_ticket_the_team_hears_of(
    widget: ChatWidget, agent: User
) -> None:
    cookie = session_cookie(agent)

    async def scenario() -> dict[str, Any]:
        desk = inbox_socket(cookie)
        assert (await desk.connect())[0]
        visitor = visitor_socket()
        welcome = await say_hello(visitor)
        await visitor.send_json_to(
            {"type": "profile", "name": "Wati", "email": "wati@mail.example"}
        )
        profile = await visitor.receive_json_from(timeout=5)
        await visitor.send_json_to({"type": "message", "body": "Kulkas saya tidak dingin."})
        echo = await visitor.receive_json_from(timeout=5)
        heard = await desk.receive_json_from(timeout=5)
        await visitor.disconnect()
        await desk.disconnect()
        return {"welcome": welcome, "profile": profile, "echo": echo, "heard": heard}

    seen = run(scenario)

    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.CHAT
    assert ticket.team == widget.team
    assert ticket.subject == "Kulkas saya tidak dingin."
    assert ticket.customer.name == "Wati"
    kinds = set(ticket.customer.identities.values_list("kind", flat=True))
    assert kinds == {IdentityKind.CHAT, IdentityKind.EMAIL}
    assert seen["welcome"]["available"] is True
    assert seen["welcome"]["messages"] == []
    assert len(seen["welcome"]["token"]) >= 40
    assert seen["profile"] == {"type": "profile", "name": "Wati", "email": "wati@mail.example"}
    assert seen["echo"]["type"] == "message"
    assert seen["echo"]["message"]["from"] == "visitor"
    assert seen["echo"]["message"]["body"] == "Kulkas saya tidak dingin."
    assert seen["heard"] == {"event": "created", "ticket": ticket.pk}


def test_an_agents_reply_reaches_the_visitor_at_once_and_notes_never_do(
    widget: ChatWidget, agent: User
) -> None:
    async def scenario() -> dict[str, Any]:
        visitor = visitor_socket()
        await say_hello(visitor)
        await visitor.send_json_to({"type": "message", "body": "Halo, pesanan saya?"})
        await visitor.receive_json_from(timeout=5)
        ticket = await sync_to_async(Ticket.objects.get)()
        await sync_to_async(ticket_add_note)(ticket=ticket, by=agent, body="Cek gudang dulu.")
        await sync_to_async(ticket_reply)(ticket=ticket, by=agent, body="Sedang dikirim, kak.")
        await sync_to_async(run_due_jobs)()
        reply = await visitor.receive_json_from(timeout=5)
        nothing_more = await visitor.receive_nothing(timeout=0.3)
        await visitor.disconnect()
        return {"reply": reply, "nothing_more": nothing_more}

    seen = run(scenario)

    reply = seen["reply"]["message"]
    assert reply["from"] == "agent"
    assert reply["body"] == "Sedang dikirim, kak."
    assert reply["author"] == agent.display_name
    assert seen["nothing_more"] is True
    sent = Message.objects.get(body_text="Sedang dikirim, kak.")
    assert sent.delivery_status == DeliveryStatus.SENT


def test_a_returning_visitor_sees_the_conversation_again_without_internal_notes(
    widget: ChatWidget, agent: User
) -> None:
    async def first_visit() -> str:
        visitor = visitor_socket()
        welcome = await say_hello(visitor)
        await visitor.send_json_to({"type": "message", "body": "Apakah ada warna merah?"})
        await visitor.receive_json_from(timeout=5)
        await visitor.disconnect()
        return str(welcome["token"])

    token = run(first_visit)
    ticket = Ticket.objects.get()
    ticket_add_note(ticket=ticket, by=agent, body="Pelanggan lama, beri diskon.")
    ticket_reply(ticket=ticket, by=agent, body="Ada, kak. Stok tinggal dua.")
    run_due_jobs()

    async def second_visit() -> dict[str, Any]:
        visitor = visitor_socket()
        welcome = await say_hello(visitor, token=token)
        await visitor.send_json_to({"type": "message", "body": "Saya ambil satu."})
        await visitor.receive_json_from(timeout=5)
        await visitor.disconnect()
        return welcome

    welcome = run(second_visit)

    assert "token" not in welcome  # the visitor keeps the one they have
    assert [(m["from"], m["body"]) for m in welcome["messages"]] == [
        ("visitor", "Apakah ada warna merah?"),
        ("agent", "Ada, kak. Stok tinggal dua."),
    ]
    assert Ticket.objects.count() == 1
    assert ticket.messages.filter(body_text="Saya ambil satu.").exists()


def test_a_message_the_database_could_not_take_is_refused_aloud_and_the_chat_goes_on(
    widget: ChatWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from sigap.chat import services

    write = services.chat_message_write
    tries: list[str] = []

    def locked_the_first_time(**kwargs: Any) -> Any:
        # SQLite under a burst of writers: the write waited out its busy timeout.
        tries.append(kwargs["body"])
        if len(tries) == 1:
            raise OperationalError("database is locked")
        return write(**kwargs)

    monkeypatch.setattr(services, "chat_message_write", locked_the_first_time)

    async def scenario() -> list[dict[str, Any]]:
        visitor = visitor_socket()
        await say_hello(visitor)
        await visitor.send_json_to({"type": "message", "body": "Paket saya belum datang."})
        refused = await visitor.receive_json_from(timeout=5)
        await visitor.send_json_to({"type": "message", "body": "Paket saya belum datang."})
        echo = await visitor.receive_json_from(timeout=5)
        await visitor.disconnect()
        return [refused, echo]

    refused, echo = run(scenario)

    assert refused["type"] == "error"
    assert refused["message"] == "Your message could not be saved just now. Please send it again."
    assert echo["type"] == "message"
    assert echo["message"]["body"] == "Paket saya belum datang."
    assert list(Message.objects.values_list("body_text", flat=True)) == ["Paket saya belum datang."]


def test_a_stored_message_is_never_called_unsaved_when_only_the_availability_check_fails(
    widget: ChatWidget, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from sigap.chat import consumers
    from sigap.routing.models import Presence
    from sigap.routing.services import presence_set

    # Nobody online, so nobody is given the chat and the desk asks who could answer it.
    presence_set(user=agent, status=Presence.OFFLINE, by=agent)

    available = consumers.agents_available_after_message
    greeted: list[bool] = []

    def unreachable_once_greeted(*args: Any, **kwargs: Any) -> bool:
        # The database goes away between saving the message and asking who is online.
        if greeted:
            raise OperationalError("server closed the connection unexpectedly")
        return available(*args, **kwargs)

    monkeypatch.setattr(consumers, "agents_available_after_message", unreachable_once_greeted)

    async def scenario() -> list[dict[str, Any]]:
        visitor = visitor_socket()
        await say_hello(visitor)
        greeted.append(True)
        await visitor.send_json_to({"type": "message", "body": "Paket saya belum datang."})
        echo = await visitor.receive_json_from(timeout=5)
        after = (
            [] if await visitor.receive_nothing(timeout=1) else [await visitor.receive_json_from()]
        )
        await visitor.disconnect()
        return [echo, *after]

    frames = run(scenario)

    assert [frame["type"] for frame in frames] == ["message"]
    assert list(Message.objects.values_list("body_text", flat=True)) == ["Paket saya belum datang."]
