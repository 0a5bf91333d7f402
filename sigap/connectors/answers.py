"""Reading the other side's HTTP answer: delivered, try again later, or never."""

from __future__ import annotations

import httpx
from django.utils.translation import gettext as _

from sigap.connectors.registry import PermanentFailure, TemporaryFailure

# Answers that say "not now": timeouts, too early, too many requests, server trouble.
TEMPORARY_STATUSES = {408, 425, 429}
MAX_SHOWN_CHARS = 300


def retry_after(response: httpx.Response) -> int | None:
    value = response.headers.get("Retry-After", "").strip()
    return int(value) if value.isdigit() else None


def check_answer(response: httpx.Response) -> None:
    """Return for a 2xx answer; raise TemporaryFailure or PermanentFailure otherwise."""
    status = response.status_code
    if 200 <= status < 300:
        return
    shown = response.text[:MAX_SHOWN_CHARS]
    if 300 <= status < 400:
        raise PermanentFailure(
            _("The endpoint answered with a redirect to %(location)s; redirects are not followed.")
            % {"location": response.headers.get("Location", "?")}
        )
    if status in TEMPORARY_STATUSES or status >= 500:
        raise TemporaryFailure(
            _("The endpoint answered %(status)s: %(body)s") % {"status": status, "body": shown},
            retry_after=retry_after(response),
        )
    raise PermanentFailure(
        _("The endpoint refused the message (%(status)s): %(body)s")
        % {"status": status, "body": shown}
    )


def get(client: httpx.Client, url: str) -> httpx.Response:
    """GET, turning a network failure into a TemporaryFailure."""
    try:
        return client.get(url)
    except httpx.TransportError as error:
        raise TemporaryFailure(
            _("The endpoint could not be reached: %(error)s") % {"error": error or type(error)}
        ) from error


def post(
    client: httpx.Client, url: str, *, content: bytes, headers: dict[str, str]
) -> httpx.Response:
    """POST, turning a network failure into a TemporaryFailure."""
    try:
        return client.post(url, content=content, headers=headers)
    except httpx.TransportError as error:
        raise TemporaryFailure(
            _("The endpoint could not be reached: %(error)s") % {"error": error or type(error)}
        ) from error
