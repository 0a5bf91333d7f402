"""With Redis as the channel layer (web nodes and workers apart), a reply that a worker
delivers still reaches the visitor's socket on the web node, and an agent's inbox keeps
hearing chats after a quiet spell."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers

from sigap.accounts.models import User
from sigap.chat.models import ChatWidget
from sigap.core.jobs import run_due_jobs
from sigap.settings import redis_channel_layer
from sigap.tickets.models import Ticket
from sigap.tickets.services import ticket_reply
from tests.chat.conftest import inbox_socket, run, say_hello, session_cookie, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reply_delivered_through_redis_reaches_the_visitor(
    widget: ChatWidget, agent: User, redis_url: str, settings: Any
) -> None:
    settings.CHANNEL_LAYERS = {"default": redis_channel_layer(redis_url, "sigap-chat-test")}
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


def test_an_agents_inbox_still_hears_every_chat_after_a_quiet_spell(
    widget: ChatWidget, agent: User, redis_url: str, settings: Any
) -> None:
    # The desk's own layer settings: the socket waits on Redis with a blocking pop of 5 seconds,
    # which a shorter read timeout used to cut, closing the agent's inbox.
    settings.CHANNEL_LAYERS = {"default": redis_channel_layer(redis_url, "sigap-chat-test")}
    channel_layers.backends.clear()
    cookie = session_cookie(agent)

    async def scenario() -> list[dict[str, Any]]:
        desk = inbox_socket(cookie)
        assert (await desk.connect())[0]
        heard = []
        for number in range(2):
            await asyncio.sleep(6)  # nothing happens for longer than one blocking pop
            visitor = visitor_socket()
            await say_hello(visitor)
            await visitor.send_json_to({"type": "message", "body": f"Halo, ada orang? ({number})"})
            await visitor.receive_json_from(timeout=5)
            heard.append(await desk.receive_json_from(timeout=5))
            await visitor.disconnect()
        await desk.disconnect()
        return heard

    try:
        heard = run(scenario)
    finally:
        channel_layers.backends.clear()

    tickets = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    assert len(tickets) == 2
    assert heard == [{"event": "created", "ticket": pk} for pk in tickets]
