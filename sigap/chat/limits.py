"""Rate limits for the chat widget: messages per visitor and per address, sockets per address.

Counts live in Django's cache (Redis when scaled out, so every web node shares them). A window
opens at the first counted hit and closes a fixed time later, so a refused visitor is told
exactly when to try again.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from sigap.core.env import env_int
from sigap.core.errors import DomainError


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    """At most `setting` hits per `window` seconds; both overridable in settings."""

    scope: str
    setting: str
    default: int
    window: int = 60

    @property
    def allowed(self) -> int:
        return int(getattr(settings, self.setting, self.default))

    def hit(self, value: str, now: float) -> int | None:
        """Count one hit; the seconds to wait when it is over the limit, else None."""
        digest = hashlib.sha256(value.encode()).hexdigest()[:32]
        count_key = f"sigap:chat:{self.scope}:{digest}"
        until_key = f"{count_key}:until"
        cache.add(until_key, now + self.window, timeout=self.window)
        if cache.add(count_key, 1, timeout=self.window):
            count = 1
        else:
            try:
                count = int(cache.incr(count_key))
            except ValueError:
                # The window closed between the two calls: this hit opens a new one.
                cache.add(count_key, 1, timeout=self.window)
                count = 1
        if count <= self.allowed:
            return None
        until = cache.get(until_key)
        return self.window if until is None else max(1, math.ceil(float(until) - now))


def _limit(scope: str, name: str, default: int) -> Limit:
    # SIGAP_<NAME> in the environment sets it for a desk; settings.<NAME> wins (tests).
    return Limit(scope, name, env_int(f"SIGAP_{name}", default))


MESSAGES_PER_VISITOR = _limit("messages:visitor", "CHAT_MESSAGES_PER_VISITOR_PER_MINUTE", 20)
# Visitors behind one office or mobile-carrier address share these.
MESSAGES_PER_ADDRESS = _limit("messages:ip", "CHAT_MESSAGES_PER_ADDRESS_PER_MINUTE", 120)
CONNECTIONS_PER_ADDRESS = _limit("connections:ip", "CHAT_CONNECTIONS_PER_ADDRESS_PER_MINUTE", 60)
UPLOADS_PER_VISITOR = _limit("uploads:visitor", "CHAT_UPLOADS_PER_VISITOR_PER_MINUTE", 5)


def check(hits: list[tuple[Limit, str]], message: str) -> None:
    """Count a hit on every limit; RateLimited with the longest wait when one is exceeded."""
    now = time.time()
    waits = [wait for limit, value in hits if (wait := limit.hit(value, now)) is not None]
    if waits:
        raise RateLimited(message, retry_after=max(waits))
