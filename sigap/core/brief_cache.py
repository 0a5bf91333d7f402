"""Answers a process keeps for a few seconds: the settings every new ticket asks for.

Which SOPs are live, which policy and calendar a team has, whether it routes: each new ticket
asks, and they change rarely. The process that makes a change clears its cache at once; another
process sees the change when its entry runs out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Long enough to spare the database on a busy desk, short enough for an admin to wait out.
SECONDS = 5.0


class BriefCache(Generic[K, V]):
    def __init__(self, seconds: float = SECONDS) -> None:
        self.seconds = seconds
        self._entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K, load: Callable[[], V]) -> V:
        """The kept answer for `key`, or `load()`'s, kept from now on for `seconds`."""
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        self._entries[key] = (now + self.seconds, value)
        return value

    def clear(self) -> None:
        self._entries.clear()
