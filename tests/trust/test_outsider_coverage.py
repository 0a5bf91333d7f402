"""Every address the desk answers is accounted for: it has outsider cases, or it is public and
listed below with the reason. A new page, API operation or socket without either fails here.

Also, for every address at once: nobody signed out reaches a desk page or an API operation,
and desk staff who are not administrators are sent to the admin sign-in from every admin page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from sigap.api.api import api
from sigap.web.routing import public_websocket_urlpatterns, websocket_urlpatterns
from tests.trust import test_outsider_api, test_outsider_pages

ROOT = Path(__file__).resolve().parents[2]

# Open to anyone by design; each one's guard is its own and tested where it lives.
PUBLIC = {
    "healthz": "load balancers ask whether the process and database answer; no data",
    "admin/login/": "the admin sign-in form",
    "admin/logout/": "signing out of the admin needs no permission",
    "i18n/setlang/": "stores the chosen language in a cookie",
    "login/": "the sign-in form",
    "logout/": "signing out needs no permission",
    "password/reset/": "asks for a reset mail; says the same whether the address exists",
    "password/reset/sent/": "a fixed message",
    "password/reset/done/": "a fixed message",
    "password/reset/<uidb64>/<token>/": "the signed token in the mailed link is the credential",
    "invitations/<slug:token>/": "the invitation token in the mailed link is the credential",
    "survey/<str:token>/": "the customer's signed survey link is the credential",
    "follow-up/<str:token>/": "the customer's signed follow-up link is the credential",
    "chat/<slug:key>/config/": "the widget's words and availability, for allowed origins only",
    "chat/<slug:key>/upload/": "the chat visitor's token is the credential (cases: ELSEWHERE)",
    "connectors/in/<str:key>": "inbound webhooks, authenticated by signature or secret token",
    "api/openapi.json": "the API's description; no data",
    "api/docs": "the API's documentation page; no data",
    "api/docs/assets/<str:name>": "the documentation page's scripts and styles",
    "api/": "any other address under /api/ is a problem 404",
}

# Act on the caller's own record only, so there is no one else's object to reach; signing in
# is still required (checked for every address below).
OWN_ONLY = {
    "password/change/": "changes the signed-in person's own password",
    "routing/presence/": "sets the signed-in agent's own presence",
    "sops/<slug:key>/acknowledge/": "records that the signed-in person read the SOP",
}

# Outsider cases that live with their app's other tests.
ELSEWHERE = {
    "attachments/<str:key>/": "tests/trust/test_attachment_downloads.py::"
    "test_another_teams_agent_gets_the_same_404_as_a_guess",
    "GET /api/attachments/{key}": "tests/trust/test_attachment_api.py::"
    "test_another_team_and_no_token_are_refused",
    "chat/<slug:key>/upload/": "tests/chat/test_uploads.py::"
    "test_a_wrong_token_or_another_site_is_refused",
    "ws/inbox/": "tests/trust/test_outsider_sockets.py::"
    "test_an_outsiders_inbox_socket_hears_nothing_of_another_teams_tickets",
    "ws/public/chat/<slug:key>/": "tests/trust/test_outsider_sockets.py::"
    "test_a_visitor_holding_another_conversations_token_gets_nothing_of_it",
}

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[tuple[str, bool]]:
    """Every URL pattern as written (the route, or the regular expression) and whether it is
    a route pattern."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), isinstance(pattern.pattern, RoutePattern)


def api_operations() -> list[str]:
    schema = api.get_openapi_schema()
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    )


def _api_route(route: str) -> str:
    return "/" + _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", route)


def desk_routes() -> list[str]:
    """The URL patterns outside the admin site and outside the API's own operations."""
    operation_paths = {op.split(" ", 1)[1] for op in api_operations()}
    routes = []
    for route, _is_route in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") and route != "admin/login/":
            continue
        if route.startswith("api/") and _api_route(route) in operation_paths:
            continue
        routes.append(route)
    return sorted(set(routes))


def admin_routes() -> list[str]:
    return sorted(
        {route for route, _ in _walk(get_resolver().url_patterns) if route.startswith("admin/")}
        - PUBLIC.keys()
    )


def socket_routes() -> list[str]:
    return sorted(str(p.pattern) for p in [*websocket_urlpatterns, *public_websocket_urlpatterns])


def _with_cases() -> set[str]:
    return {case.route for case in [*test_outsider_api.CASES, *test_outsider_pages.CASES]}


def test_every_desk_page_has_outsider_cases_or_is_listed_public() -> None:
    accounted = _with_cases() | PUBLIC.keys() | OWN_ONLY.keys() | ELSEWHERE.keys()

    missing = [route for route in desk_routes() if route not in accounted]

    assert missing == [], "give these pages outsider cases, or list them public with a reason"


def test_every_api_operation_has_outsider_cases_or_is_listed_public() -> None:
    accounted = _with_cases() | PUBLIC.keys() | OWN_ONLY.keys() | ELSEWHERE.keys()

    missing = [operation for operation in api_operations() if operation not in accounted]

    assert missing == [], "give these operations outsider cases"


def test_every_socket_has_outsider_cases() -> None:
    missing = [route for route in socket_routes() if route not in ELSEWHERE]

    assert missing == []


def test_the_lists_name_only_addresses_that_exist() -> None:
    known = set(desk_routes()) | set(admin_routes()) | set(api_operations()) | set(socket_routes())
    known |= {"admin/login/", "admin/logout/"}

    stale = [
        route for route in [*_with_cases(), *PUBLIC, *OWN_ONLY, *ELSEWHERE] if route not in known
    ]

    assert stale == []


@pytest.mark.parametrize("route", sorted(ELSEWHERE))
def test_the_cases_kept_elsewhere_exist(route: str) -> None:
    path, name = ELSEWHERE[route].split("::")

    assert f"def {name}(" in (ROOT / path).read_text()


def _concrete(route: str) -> str:
    """An address matching the route, with a made-up value for each parameter."""
    return "/" + _CONVERTER.sub(lambda m: "1" if m.group(1) in ("int", "path") else "x", route)


SIGNED_IN_ONLY = [
    route for route in desk_routes() if route not in PUBLIC and not route.startswith("api/")
]


@pytest.mark.django_db
@pytest.mark.parametrize("route", SIGNED_IN_ONLY)
@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_signed_out_is_sent_to_sign_in(route: str, method: str) -> None:
    response = getattr(Client(), method)(_concrete(route))

    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("operation", api_operations())
def test_no_token_reaches_no_api_operation(operation: str) -> None:
    method, path = operation.split(" ", 1)
    address = re.sub(r"\{\w+\}", "1", path)

    response = getattr(Client(), method.lower())(address, content_type="application/json")

    assert response.status_code == 401, response.status_code
    assert response["Content-Type"].startswith("application/problem+json")


def _admin_address(route: str) -> str:
    if route.startswith("admin/^"):  # the app index: ^(?P<app_label>a|b|…)/$
        return "/admin/accounts/"
    if "(?P<url>" in route:  # the catch-all
        return "/admin/nothing/here/"
    return _concrete(route)


@pytest.mark.django_db
@pytest.mark.parametrize("route", admin_routes())
def test_desk_staff_who_are_not_admins_are_sent_to_the_admin_sign_in(route: str) -> None:
    from sigap.accounts.models import Role
    from tests import factories

    manager = factories.make_user("agus", Role.MANAGER, [])
    client = Client()
    client.force_login(manager)
    before = get_user_model().objects.count()

    for method in ("get", "post"):
        response = getattr(client, method)(_admin_address(route))

        assert response.status_code == 302, (method, response.status_code)
        assert response["Location"].startswith("/admin/login/")
    assert get_user_model().objects.count() == before
