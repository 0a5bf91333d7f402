"""A real SMTP server on 127.0.0.1 that can refuse for a while or hold a reply, and counts
what it accepted by Message-ID."""

from __future__ import annotations

import asyncio
import email
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller

from tests.smtp import free_port


class Sink:
    def __init__(self) -> None:
        self.accepted: Counter[str] = Counter()
        self.refusals = 0
        self.dropped = 0
        # While set, every message is answered 451 (try again later).
        self.refusing = threading.Event()
        # The message number (1-based, counting every DATA) whose answer is held back.
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self._seen = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self._lock:
            self._seen += 1
            number = self._seen
        if self.refusing.is_set():
            self.refusals += 1
            return "451 4.3.0 Mail server busy, try again later"
        if number == self.hold_at:
            self.holding.set()
            try:
                while not self.release.is_set():
                    await asyncio.sleep(0.05)
                # Give the event loop time to notice a client that went away meanwhile.
                await asyncio.sleep(0.5)
            except asyncio.CancelledError:
                # aiosmtpd ends the session when the client goes away before our answer: the
                # transaction did not complete, so the server keeps no message from it.
                self.dropped += 1
                raise
        message_id = email.message_from_bytes(envelope.content)["Message-ID"]
        with self._lock:
            self.accepted[message_id] += 1
        return "250 OK"


@contextmanager
def smtp_sink() -> Iterator[tuple[int, Sink]]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, sink
    finally:
        sink.release.set()
        controller.stop()
