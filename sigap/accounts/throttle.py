"""Refuse sign-in attempts after too many failures for one username or one client address.

Counts live in the Django cache (shared Redis when scaled out, so every web node sees them).
A window opens at the first failure and closes LOGIN_THROTTLE_WINDOW_SECONDS later; it is not
extended by further attempts, so an honest user locked out knows when to try again.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache

_PREFIX = "sigap:login-failures"


def _keys(scope: str, value: str) -> tuple[str, str]:
    # Hashed: usernames may hold characters a cache backend refuses in keys.
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"{_PREFIX}:{scope}:{digest}", f"{_PREFIX}:{scope}:{digest}:until"


def _username_keys(username: str) -> tuple[str, str]:
    return _keys("user", username.strip().casefold())


def _address_keys(address: str) -> tuple[str, str]:
    return _keys("ip", address)


def _retry_after(count_key: str, until_key: str, now: float) -> int | None:
    count = int(cache.get(count_key, 0))
    if count < settings.LOGIN_THROTTLE_ATTEMPTS:
        return None
    until = cache.get(until_key)
    if until is None:
        return int(settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    return max(1, math.ceil(float(until) - now))


def login_retry_after(*, username: str, address: str) -> int | None:
    """Seconds until a sign-in may be tried again, or None when it may be tried now."""
    now = time.time()
    waits = [
        _retry_after(*_username_keys(username), now) if username else None,
        _retry_after(*_address_keys(address), now) if address else None,
    ]
    blocked = [wait for wait in waits if wait is not None]
    return max(blocked) if blocked else None


def _count(count_key: str, until_key: str, now: float) -> None:
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    cache.add(until_key, now + window, timeout=window)
    # add() then incr(): both atomic in the shared cache, so parallel failures all count.
    if not cache.add(count_key, 1, timeout=window):
        try:
            cache.incr(count_key)
        except ValueError:
            # The window closed between the two calls: this failure opens a new one.
            cache.add(count_key, 1, timeout=window)


def login_failure_record(*, username: str, address: str) -> None:
    now = time.time()
    if username:
        _count(*_username_keys(username), now)
    if address:
        _count(*_address_keys(address), now)


def login_success_record(*, username: str) -> None:
    """The owner proved the password: forget their username's failures.

    The address's count stays, so one valid account cannot be used to keep guessing others.
    """
    cache.delete_many(list(_username_keys(username)))
