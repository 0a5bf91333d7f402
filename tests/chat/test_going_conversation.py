"""An open chat socket keeps writing into its conversation until that conversation ends: closed
by the desk, moved to email, or followed by a newer one the visitor started elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sigap.accounts.models import User
from sigap.chat.models import ChatWidget
from sigap.tickets.models import Status, Ticket
from sigap.tickets.services import ticket_change_status
from tests.chat.conftest import SHOP, run, say_hello, visitor_socket
from tests.chat.test_uploads import PNG

pytestmark = pytest.mark.django_db(transaction=True)


def _bodies(ticket: Ticket) -> list[str]:
    return list(ticket.messages.order_by("pk").values_list("body_text", flat=True))


def _close(ticket_pk: int, by: User) -> None:
    ticket_change_status(ticket=Ticket.objects.get(pk=ticket_pk), by=by, status=Status.CLOSED)


def _upload(token: str) -> int:
    file = SimpleUploadedFile("foto.png", PNG, content_type="image/png")
    response = Client().post(
        "/chat/toko/upload/?language=en", {"token": token, "file": file}, HTTP_ORIGIN=SHOP
    )
    return int(response.status_code)


def test_after_the_desk_closes_the_chat_the_next_message_opens_a_new_ticket(
    widget: ChatWidget, agent: User
) -> None:
    async def scenario() -> None:
        socket = visitor_socket()
        await say_hello(socket)
        for body in ("Pesanan saya sudah sampai?", "Terima kasih!"):
            await socket.send_json_to({"type": "message", "body": body})
            await socket.receive_json_from(timeout=5)
        first = await sync_to_async(Ticket.objects.get)()
        await sync_to_async(_close)(first.pk, agent)
        await socket.send_json_to({"type": "message", "body": "Satu pertanyaan lagi."})
        echo = await socket.receive_json_from(timeout=5)
        assert echo["message"]["body"] == "Satu pertanyaan lagi."
        await socket.disconnect()

    run(scenario)

    first, second = Ticket.objects.order_by("pk")
    assert _bodies(first) == ["Pesanan saya sudah sampai?", "Terima kasih!"]
    assert first.status == Status.CLOSED
    assert _bodies(second) == ["Satu pertanyaan lagi."]
    assert second.customer == first.customer


def test_a_conversation_started_elsewhere_meanwhile_is_the_one_written_to(
    widget: ChatWidget, agent: User
) -> None:
    # The socket wrote to the first chat; the desk closed it and the visitor sent a photo from
    # the page, which opened the next one. The socket's next message joins that one.
    async def scenario() -> dict[str, Any]:
        socket = visitor_socket()
        welcome = await say_hello(socket)
        await socket.send_json_to({"type": "message", "body": "Halo."})
        await socket.receive_json_from(timeout=5)
        first = await sync_to_async(Ticket.objects.get)()
        await sync_to_async(_close)(first.pk, agent)
        uploaded = await sync_to_async(_upload)(welcome["token"])
        photo = await socket.receive_json_from(timeout=5)
        await socket.send_json_to({"type": "message", "body": "Ini fotonya."})
        echo = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return {"uploaded": uploaded, "photo": photo, "echo": echo}

    seen = run(scenario)

    assert seen["uploaded"] == 201
    assert seen["photo"]["message"]["body"] == "📎 foto.png"
    assert seen["echo"]["message"]["body"] == "Ini fotonya."
    assert Ticket.objects.count() == 2
    second = Ticket.objects.order_by("pk").last()
    assert second is not None
    assert _bodies(second) == ["📎 foto.png", "Ini fotonya."]


def test_after_moving_to_email_in_one_tab_the_other_tab_starts_a_new_chat(
    widget: ChatWidget,
) -> None:
    async def scenario() -> None:
        one = visitor_socket()
        welcome = await say_hello(one)
        other = visitor_socket()
        await say_hello(other, token=welcome["token"])
        await other.send_json_to({"type": "message", "body": "Dari tab kedua."})
        await other.receive_json_from(timeout=5)
        await one.receive_json_from(timeout=5)  # every tab shows it
        await one.send_json_to({"type": "email", "email": "wati@mail.example"})
        moved = await one.receive_json_from(timeout=5)
        assert moved["type"] == "moved", moved
        assert (await other.receive_json_from(timeout=5))["type"] == "moved"
        await other.send_json_to({"type": "message", "body": "Masih ada yang lain."})
        frame = await other.receive_json_from(timeout=5)
        assert frame["message"]["body"] == "Masih ada yang lain."
        await one.disconnect()
        await other.disconnect()

    run(scenario)

    emailed, chat = Ticket.objects.order_by("pk")
    assert _bodies(emailed) == ["Dari tab kedua."]
    assert emailed.channel == "email"
    assert _bodies(chat) == ["Masih ada yang lain."]
    assert chat.channel == "chat"
