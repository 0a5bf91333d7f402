"""A chat flood is refused with a clear answer, and the messages before it are all kept."""

from __future__ import annotations

from typing import Any

import pytest

from sigap.chat.models import ChatWidget
from sigap.tickets.models import Message
from tests.chat.conftest import run, say_hello, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_sending_too_fast_gets_an_error_frame_and_loses_nothing_sent_before(
    widget: ChatWidget, settings: Any
) -> None:
    settings.CHAT_MESSAGES_PER_VISITOR_PER_MINUTE = 3

    async def scenario() -> list[dict[str, Any]]:
        socket = visitor_socket()
        await say_hello(socket)
        frames = []
        for number in range(5):
            await socket.send_json_to({"type": "message", "body": f"Pesan {number}"})
            frames.append(await socket.receive_json_from(timeout=5))
        await socket.disconnect()
        return frames

    frames = run(scenario)

    assert [frame["type"] for frame in frames] == ["message"] * 3 + ["error"] * 2
    refusal = frames[3]
    assert refusal["code"] == "rate_limited"
    assert refusal["message"] == "You are sending messages too quickly. Please wait a moment."
    assert 0 < refusal["retry_after"] <= 60
    kept = list(Message.objects.order_by("pk").values_list("body_text", flat=True))
    assert kept == ["Pesan 0", "Pesan 1", "Pesan 2"]


def test_many_visitors_from_one_address_share_its_limit(widget: ChatWidget, settings: Any) -> None:
    settings.CHAT_MESSAGES_PER_ADDRESS_PER_MINUTE = 4

    async def scenario() -> list[str]:
        kinds = []
        for _visitor in range(3):
            socket = visitor_socket()
            await say_hello(socket)
            for number in range(2):
                await socket.send_json_to({"type": "message", "body": f"Halo {number}"})
                kinds.append((await socket.receive_json_from(timeout=5))["type"])
            await socket.disconnect()
        return kinds

    assert run(scenario) == ["message"] * 4 + ["error"] * 2


def test_too_many_connections_from_one_address_are_refused(
    widget: ChatWidget, settings: Any
) -> None:
    settings.CHAT_CONNECTIONS_PER_ADDRESS_PER_MINUTE = 2

    async def scenario() -> dict[str, Any]:
        opened = []
        for _attempt in range(2):
            socket = visitor_socket()
            assert (await socket.connect())[0]
            opened.append(socket)
        refused = visitor_socket()
        assert (await refused.connect())[0]
        frame = await refused.receive_json_from(timeout=5)
        closed = await refused.receive_output(timeout=5)
        for socket in opened:
            await socket.disconnect()
        return {"frame": frame, "closed": closed}

    seen = run(scenario)

    assert seen["frame"]["code"] == "rate_limited"
    assert seen["frame"]["retry_after"] > 0
    assert seen["closed"] == {"type": "websocket.close", "code": 4429}


def test_an_overlong_or_malformed_message_is_refused_plainly(
    widget: ChatWidget, settings: Any
) -> None:
    settings.CHAT_MESSAGE_MAX_CHARS = 500

    async def scenario() -> list[dict[str, Any]]:
        socket = visitor_socket()
        await say_hello(socket)
        frames = []
        await socket.send_json_to({"type": "message", "body": "x" * 501})
        frames.append(await socket.receive_json_from(timeout=5))
        await socket.send_to(text_data="{not json")
        frames.append(await socket.receive_json_from(timeout=5))
        await socket.send_to(text_data="y" * 40_000)
        frames.append(await socket.receive_json_from(timeout=5))
        await socket.send_json_to({"type": "message", "body": "   "})
        frames.append(await socket.receive_json_from(timeout=5))
        await socket.send_json_to({"type": "message", "body": "x" * 500})
        frames.append(await socket.receive_json_from(timeout=5))
        await socket.disconnect()
        return frames

    frames = run(scenario)

    assert [frame.get("message") for frame in frames[:4]] == [
        "The message is longer than 500 characters.",
        "That frame is not understood.",
        "That message is too large.",
        "The message is empty.",
    ]
    assert frames[4]["type"] == "message"
    assert Message.objects.count() == 1


def test_a_refusal_speaks_the_visitors_language(widget: ChatWidget) -> None:
    async def scenario() -> dict[str, Any]:
        socket = visitor_socket()
        await say_hello(socket, language="id")
        await socket.send_json_to({"type": "message", "body": "  "})
        frame: dict[str, Any] = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return frame

    assert run(scenario)["message"] == "Pesannya kosong."
