"""Inbound requests per connector per minute: a flood is answered 429 with Retry-After.

Counted in the shared cache (Redis when scaled out), so every web node sees one count. The
window is fixed (the current minute), which keeps the count one atomic increment.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.core.cache import cache

from sigap.core import clock
from sigap.core.env import env_int

WINDOW_SECONDS = 60


def inbound_limit() -> int:
    configured = getattr(settings, "CONNECTOR_INBOUND_PER_MINUTE", None)
    if configured is None:
        configured = env_int("SIGAP_CONNECTOR_INBOUND_PER_MINUTE", 600)
    return int(configured)


def inbound_retry_after(connector_id: int) -> int | None:
    """Count this request; the seconds to wait when the connector is over its limit, else None."""
    now = clock.now().timestamp()
    window = int(now // WINDOW_SECONDS)
    key = f"sigap:connector-in:{connector_id}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:
        # Expired between the two calls: this request opens the count again.
        cache.add(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count <= inbound_limit():
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
