"""Every address of the web UI refuses a state change that carries no CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from sigap.accounts.models import User
from sigap.tickets.models import Ticket

# The API takes only bearer tokens, never a session cookie, so a forged cross-site request has
# no credentials to ride on (sigap/api/auth.py); it is deliberately exempt from CSRF checks.
# So is the chat widget's upload (sigap/chat/views.py): shops' pages post to it from other
# sites, authorised by the visitor's token in the form, never by a cookie.
# Connector webhooks are authenticated by a signature or secret header, never by a session.
EXEMPT_PREFIXES = ("api/", "chat/", "connectors/in/")

_CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<\w+>([^)]*)\)")


def _sample(kind: str | None, ticket_id: int) -> str:
    return str(ticket_id) if kind in ("int", "path") else "x"


def _concrete(route: str, ticket_id: int) -> str:
    """An address that the pattern matches, with sample values in place of its parameters."""
    route = _CONVERTER.sub(lambda found: _sample(found["kind"], ticket_id), route)
    # Regex patterns (the admin's): the first alternative of each group, or a plain word.
    route = _REGEX_GROUP.sub(
        lambda found: found[1].split("|")[0] if "|" in found[1] else "x", route
    )
    return "/" + route.replace("^", "").replace("$", "")


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif not route.startswith(EXEMPT_PREFIXES):
            yield route


def test_a_post_without_a_csrf_token_is_refused_everywhere(
    admin_user: User, ticket: Ticket
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    routes = list(_routes(get_resolver().url_patterns))
    assert len(routes) > 40  # the walk reached the web UI, the admin and set_language

    accepted = {}
    for route in routes:
        address = _concrete(route, ticket.pk)
        response = client.post(address, {"body": "x", "email": "a@mail.example"})
        if response.status_code != 403 or b"CSRF verification failed" not in response.content:
            accepted[address] = response.status_code

    assert accepted == {}


def test_the_same_post_with_the_token_gets_through(admin_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    token = client.get("/password/change/").cookies["csrftoken"].value

    response = client.post("/logout/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 302


@pytest.mark.parametrize("address", ["/login/", "/password/reset/"])
def test_pages_for_signed_out_people_also_need_the_token(address: str, db: None) -> None:
    response = Client(enforce_csrf_checks=True).post(address, {"email": "a@mail.example"})

    assert response.status_code == 403
