"""Who is calling: bearer tokens only.

The API deliberately accepts no session cookie. A browser never attaches an Authorization
header on its own, so a page on another site cannot make a signed-in agent's browser call the
API: there is no cross-site request forgery to defend against, and no CSRF token to send.
Tokens are created with `sigap token create --user NAME` and stored only as a hash.
"""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja.errors import Throttled
from ninja.security import HttpBearer

from sigap.accounts.models import User
from sigap.accounts.services import token_authenticate
from sigap.api.rate_limits import token_guessing_wait, unknown_token_record


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        # A client that keeps sending unknown tokens is held off: no guessing at speed.
        wait = token_guessing_wait(request)
        if wait is not None:
            raise Throttled(wait=wait)
        # Unknown, revoked and inactive users' tokens all come back None: a 401, told alike.
        user = token_authenticate(token)
        if user is None:
            unknown_token_record(request)
        return user


def caller(request: HttpRequest) -> User:
    """The user the token belongs to; every endpoint runs behind BearerToken."""
    return cast(User, request.auth)  # type: ignore[attr-defined]
