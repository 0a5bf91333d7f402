"""Push small notices to browsers over the channel layer, after the database commit."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
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


def _send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        loop = _server_loop
        if loop is not None and loop.is_running() and threading.get_ident() != _server_thread:
            asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception:
        # A live update is a convenience; the page shows the truth on the next load.
        logger.warning("could not push to %s", group, exc_info=True)


def publish_on_commit(groups: list[str], message: dict[str, Any]) -> None:
    """Send `message` to every group once the current transaction has committed."""

    def send_all() -> None:
        for group in groups:
            _send(group, message)

    transaction.on_commit(send_all)
