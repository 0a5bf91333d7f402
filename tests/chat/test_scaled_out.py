"""With Redis as the channel layer (web nodes and workers apart), a reply that a worker
delivers still reaches the visitor's socket on the web node."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers

from sigap.accounts.models import User
from sigap.chat.models import ChatWidget
from sigap.core.jobs import run_due_jobs
from sigap.tickets.models import Ticket
from sigap.tickets.services import ticket_reply
from tests.chat.conftest import run, say_hello, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reply_delivered_through_redis_reaches_the_visitor(
    widget: ChatWidget, agent: User, redis_url: str, settings: Any
) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": "sigap-chat-test"},
        }
    }
    channel_layers.backends.clear()

    async def scenario() -> dict[str, Any]:
        visitor = visitor_socket()
        await say_hello(visitor)
        await visitor.send_json_to({"type": "message", "body": "Halo dari jauh."})
        echo = await visitor.receive_json_from(timeout=5)
        ticket = await sync_to_async(Ticket.objects.get)()
        await sync_to_async(ticket_reply)(ticket=ticket, by=agent, body="Halo juga, kak.")
        await sync_to_async(run_due_jobs)()
        reply = await visitor.receive_json_from(timeout=5)
        await visitor.disconnect()
        return {"echo": echo, "reply": reply}

    try:
        seen = run(scenario)
    finally:
        channel_layers.backends.clear()

    assert seen["echo"]["message"]["body"] == "Halo dari jauh."
    assert seen["reply"]["message"]["body"] == "Halo juga, kak."
    assert seen["reply"]["message"]["from"] == "agent"
