"""Push small notices to browsers over the channel layer, after the database commit."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.consumer import get_handler_name
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# The event loop of the serving process. Pages run in worker threads; the in-memory channel
# layer belongs to this loop, so sends from those threads are handed to it.
_server_loop: asyncio.AbstractEventLoop | None = None
_server_thread: int | None = None


def bind_server_loop(loop: asyncio.AbstractEventLoop) -> None:
    global _server_loop, _server_thread
    _server_loop = loop
    _server_thread = threading.get_ident()


async def _send_all(layer: Any, groups: list[str], message: dict[str, Any]) -> None:
    for group in groups:
        await layer.group_send(group, message)


def _send(groups: list[str], message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer) and not any(g in layer.groups for g in groups):
        # An in-memory layer only reaches sockets of this process, and none of them joined these
        # groups (always so in a worker or the CLI): nobody could hear it.
        return
    loop = _server_loop
    try:
        if loop is not None and loop.is_running() and threading.get_ident() != _server_thread:
            asyncio.run_coroutine_threadsafe(_send_all(layer, groups, message), loop)
        else:
            async_to_sync(_send_all)(layer, groups, message)
    except Exception:
        # A live update is a convenience; the page shows the truth on the next load.
        logger.warning("could not push to %s", groups, exc_info=True)


def publish_on_commit(groups: list[str], message: dict[str, Any]) -> None:
    """Send `message` to every group once the current transaction has committed."""
    transaction.on_commit(lambda: _send(groups, message))


class DirectDispatch:
    """Hands each event straight to its consumer method.

    Channels' own dispatch first closes stale database connections in the one database thread,
    so a push to a socket waits behind every query other sockets have queued there: with 20
    visitors writing at once, every notice arrived only after the last write. Consumers using
    this make every database call through database_sync_to_async, which closes them itself.
    """

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
