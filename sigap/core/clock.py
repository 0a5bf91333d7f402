"""The one place Sigap asks what time it is, so tests, simulations and demo data can set it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_override: ContextVar[datetime | None] = ContextVar("sigap_clock_override", default=None)


def now() -> datetime:
    return _override.get() or timezone.now()


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Within this block, `now()` returns `at` (for replaying or back-dating work)."""
    if timezone.is_naive(at):
        raise ValueError("frozen() needs a timezone-aware datetime")
    token = _override.set(at)
    try:
        yield
    finally:
        _override.reset(token)
