"""A limit on how often one client may open or answer the public feedback pages.

The pages are reachable by anyone holding a link, so a flood is refused with 429 and a
Retry-After. Two counts: per client and link (one customer hammering one survey), and per client
alone with a higher ceiling (someone walking many links), so customers who share an address
behind one office proxy do not use up each other's allowance. Counts live in the Django cache
(shared Redis when scaled out); a window opens at the first request and is not extended by later
ones, so a refused client knows when to come back.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _count(key: str, limit: int, window: int, now: float) -> int | None:
    """Count one request under `key`; seconds to wait when over `limit`, else None."""
    until_key = f"{key}:until"
    cache.add(until_key, now + window, timeout=window)
    if cache.add(key, 1, timeout=window):
        return None
    try:
        count = int(cache.incr(key))
    except ValueError:
        # The window closed between the two calls: this request opens a new one.
        cache.add(key, 1, timeout=window)
        return None
    if count <= limit:
        return None
    until = cache.get(until_key)
    return window if until is None else max(1, math.ceil(float(until) - now))


def public_page_retry_after(address: str, link: str) -> int | None:
    """Count this request; seconds to wait when the client is over a limit, else None."""
    window = _setting("FEEDBACK_THROTTLE_WINDOW_SECONDS", 60)
    per_link = _setting("FEEDBACK_THROTTLE_PER_LINK", 30)
    per_client = _setting("FEEDBACK_THROTTLE_PER_CLIENT", 300)
    client = hashlib.sha256(address.encode()).hexdigest()[:32]
    page = hashlib.sha256(f"{address}|{link}".encode()).hexdigest()[:32]
    now = time.time()
    waits = [
        _count(f"sigap:feedback-page:link:{page}", per_link, window, now),
        _count(f"sigap:feedback-page:client:{client}", per_client, window, now),
    ]
    blocked = [wait for wait in waits if wait is not None]
    return max(blocked) if blocked else None
