"""How often the API may be called: per user, and per client address for failed tokens.

Each caller gets `API_RATE_LIMIT` requests per `API_RATE_WINDOW_SECONDS`; a client address that
sends `API_AUTH_FAILURES_PER_CLIENT` unknown tokens within `API_AUTH_FAILURE_WINDOW_SECONDS`
is refused until the window ends, so tokens cannot be guessed at speed. Both answer 429 with
Retry-After. Counts are fixed windows in the Django cache (Redis when scaled out: every web
node sees the same counts), kept with add/incr, which are atomic there.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import Throttled
from ninja.throttling import BaseThrottle

from sigap.accounts.models import User
from sigap.api.errors import problem_response


def _count(scope: str, ident: str, window: int, now: float) -> tuple[int, int]:
    """Count one event; (events in the current window, seconds until it ends)."""
    start = int(now // window) * window
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"sigap:rate:{scope}:{digest}:{start}"
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = int(cache.incr(key))
        except ValueError:
            # The window closed between the two calls: this event opens the next one.
            cache.add(key, 1, timeout=window + 1)
            count = 1
    return count, max(1, math.ceil(start + window - now))


def _peek(scope: str, ident: str, window: int, now: float) -> tuple[int, int]:
    start = int(now // window) * window
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    count = int(cache.get(f"sigap:rate:{scope}:{digest}:{start}", 0))
    return count, max(1, math.ceil(start + window - now))


def _client(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded-for header is the client's to write.
    return str(request.META.get("REMOTE_ADDR", ""))


class PerUserRate(BaseThrottle):
    """`API_RATE_LIMIT` requests per window for each signed-in caller."""

    def __init__(self) -> None:
        # One instance serves every request thread; each keeps its own answer for wait().
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        user = getattr(request, "auth", None)
        if not isinstance(user, User):
            return True
        window = settings.API_RATE_WINDOW_SECONDS
        count, self._local.wait = _count("api-user", str(user.pk), window, time.time())
        return bool(count <= settings.API_RATE_LIMIT)

    def wait(self) -> float | None:
        wait = getattr(self._local, "wait", None)
        return None if wait is None else float(wait)


def token_guessing_wait(request: HttpRequest) -> int | None:
    """Seconds this client must wait because it sent too many unknown tokens, else None."""
    window = settings.API_AUTH_FAILURE_WINDOW_SECONDS
    failures, wait = _peek("api-auth-failures", _client(request), window, time.time())
    return wait if failures >= settings.API_AUTH_FAILURES_PER_CLIENT else None


def unknown_token_record(request: HttpRequest) -> None:
    window = settings.API_AUTH_FAILURE_WINDOW_SECONDS
    _count("api-auth-failures", _client(request), window, time.time())


def _throttled(request: HttpRequest, exc: Throttled | type[Throttled]) -> HttpResponse:
    wait = exc.wait if isinstance(exc, Throttled) else None
    seconds = max(1, math.ceil(wait)) if wait is not None else None
    detail = (
        _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": seconds}
        if seconds is not None
        else _("Too many requests. Try again later.")
    )
    response = problem_response(429, "rate_limited", detail)
    if seconds is not None:
        response["Retry-After"] = str(seconds)
    return response


def install(api: NinjaAPI) -> None:
    api.add_exception_handler(Throttled, _throttled)


def document(operation: dict[str, Any]) -> None:
    """Every endpoint can answer 429: say so in the OpenAPI document."""
    operation.setdefault("responses", {}).setdefault(
        429,
        {
            "description": "Too Many Requests (see the Retry-After header)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        },
    )
