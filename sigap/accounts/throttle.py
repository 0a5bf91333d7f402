"""Refuse sign-in and password-reset attempts that come too often.

Sign-in: too many *failures* for one username or one client address.
Password reset: too many *requests* for one email address or from one client address — every
request counts, whether or not an account has that address, so the refusal says nothing about
which addresses exist and nobody can flood a colleague's mailbox with reset links.

Counts live in the Django cache (shared Redis when scaled out, so every web node sees them).
A window opens at the first counted attempt and closes the configured number of seconds later;
it is not extended by further attempts, so an honest user locked out knows when to try again.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class _Limit:
    """`attempts` counted attempts per `window` seconds, both read from settings on each use."""

    scope: str
    attempts_setting: str
    window_setting: str

    @property
    def attempts(self) -> int:
        return int(getattr(settings, self.attempts_setting))

    @property
    def window(self) -> int:
        return int(getattr(settings, self.window_setting))

    def keys(self, value: str) -> tuple[str, str]:
        # Hashed: usernames may hold characters a cache backend refuses in keys.
        digest = hashlib.sha256(value.encode()).hexdigest()[:32]
        return f"sigap:{self.scope}:{digest}", f"sigap:{self.scope}:{digest}:until"

    def retry_after(self, value: str, now: float) -> int | None:
        count_key, until_key = self.keys(value)
        if int(cache.get(count_key, 0)) < self.attempts:
            return None
        until = cache.get(until_key)
        if until is None:
            return self.window
        return max(1, math.ceil(float(until) - now))

    def count(self, value: str, now: float) -> None:
        count_key, until_key = self.keys(value)
        window = self.window
        cache.add(until_key, now + window, timeout=window)
        # add() then incr(): both atomic in the shared cache, so parallel attempts all count.
        if not cache.add(count_key, 1, timeout=window):
            try:
                cache.incr(count_key)
            except ValueError:
                # The window closed between the two calls: this attempt opens a new one.
                cache.add(count_key, 1, timeout=window)

    def forget(self, value: str) -> None:
        cache.delete_many(list(self.keys(value)))


_LOGIN_BY_USERNAME = _Limit(
    "login-failures:user", "LOGIN_THROTTLE_ATTEMPTS", "LOGIN_THROTTLE_WINDOW_SECONDS"
)
_LOGIN_BY_CLIENT = _Limit(
    "login-failures:ip", "LOGIN_THROTTLE_ATTEMPTS", "LOGIN_THROTTLE_WINDOW_SECONDS"
)
_RESET_BY_EMAIL = _Limit(
    "password-reset:email",
    "PASSWORD_RESET_THROTTLE_PER_EMAIL",
    "PASSWORD_RESET_THROTTLE_WINDOW_SECONDS",
)
_RESET_BY_CLIENT = _Limit(
    "password-reset:ip",
    "PASSWORD_RESET_THROTTLE_PER_CLIENT",
    "PASSWORD_RESET_THROTTLE_WINDOW_SECONDS",
)


def _normalised(name: str) -> str:
    return name.strip().casefold()


def _longest_wait(checks: list[tuple[_Limit, str]]) -> int | None:
    now = time.time()
    waits = [limit.retry_after(value, now) for limit, value in checks if value]
    blocked = [wait for wait in waits if wait is not None]
    return max(blocked) if blocked else None


def _count(checks: list[tuple[_Limit, str]]) -> None:
    now = time.time()
    for limit, value in checks:
        if value:
            limit.count(value, now)


def login_retry_after(*, username: str, address: str) -> int | None:
    """Seconds until a sign-in may be tried again, or None when it may be tried now."""
    return _longest_wait([(_LOGIN_BY_USERNAME, _normalised(username)), (_LOGIN_BY_CLIENT, address)])


def login_failure_record(*, username: str, address: str) -> None:
    _count([(_LOGIN_BY_USERNAME, _normalised(username)), (_LOGIN_BY_CLIENT, address)])


def login_success_record(*, username: str) -> None:
    """The owner proved the password: forget their username's failures.

    The address's count stays, so one valid account cannot be used to keep guessing others.
    """
    _LOGIN_BY_USERNAME.forget(_normalised(username))


def password_reset_retry_after(*, email: str, address: str) -> int | None:
    """Seconds until a reset link may be asked for again, or None when it may be asked now."""
    return _longest_wait([(_RESET_BY_EMAIL, _normalised(email)), (_RESET_BY_CLIENT, address)])


def password_reset_request_record(*, email: str, address: str) -> None:
    _count([(_RESET_BY_EMAIL, _normalised(email)), (_RESET_BY_CLIENT, address)])
