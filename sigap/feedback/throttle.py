"""A limit on how often one client may open or answer the public feedback pages.

The pages are reachable by anyone holding a link, so a flood is refused with 429 and a
Retry-After. Counts live in the Django cache (shared Redis when scaled out); a window opens at
the first request and is not extended by later ones, so a refused client knows when to return.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache


def _limits() -> tuple[int, int]:
    requests = int(getattr(settings, "FEEDBACK_THROTTLE_REQUESTS", 30))
    window = int(getattr(settings, "FEEDBACK_THROTTLE_WINDOW_SECONDS", 60))
    return requests, window


def public_page_retry_after(address: str) -> int | None:
    """Count this request; seconds to wait when the client is over its limit, else None."""
    requests, window = _limits()
    count_key = f"sigap:feedback-page:{address}"
    until_key = f"{count_key}:until"
    now = time.time()
    cache.add(until_key, now + window, timeout=window)
    if cache.add(count_key, 1, timeout=window):
        return None
    try:
        count = int(cache.incr(count_key))
    except ValueError:
        # The window closed between the two calls: this request opens a new one.
        cache.add(count_key, 1, timeout=window)
        return None
    if count <= requests:
        return None
    until = cache.get(until_key)
    return window if until is None else max(1, math.ceil(float(until) - now))
