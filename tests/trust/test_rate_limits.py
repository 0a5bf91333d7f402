"""Floods get 429 with Retry-After: the API per user and per client sending unknown tokens,
and the admin site's sign-in like the desk's (Chatwoot CVE-2022-3741, Zammad CVE-2022-35488)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sigap.accounts.models import User
from sigap.accounts.services import token_create
from tests.factories import PASSWORD


def _api(user: User, address: str = "10.1.1.1") -> Client:
    token = token_create(user=user, name="test").token
    return Client(headers={"Authorization": f"Bearer {token}"}, REMOTE_ADDR=address)


def _assert_refused(response: Any, window: int) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= window


def test_a_caller_over_its_rate_gets_429_and_others_are_not_held_up(
    settings: Any, agent: User, teammate: User
) -> None:
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_WINDOW_SECONDS = 60
    busy, other = _api(agent), _api(teammate)

    answers = [busy.get("/api/me").status_code for _ in range(3)]
    refused = busy.get("/api/me")

    assert answers == [200, 200, 200]
    _assert_refused(refused, 60)
    assert refused["Content-Type"] == "application/problem+json"
    body = refused.json()
    assert body["type"] == "urn:sigap:problem:rate_limited"
    assert f"Try again in {refused['Retry-After']} seconds" in body["detail"]
    # Another token of the same user shares the count; another user has their own.
    assert _api(agent).get("/api/me").status_code == 429
    assert other.get("/api/me").status_code == 200


def test_a_client_guessing_tokens_is_held_off_even_with_a_good_one_then(
    settings: Any, agent: User
) -> None:
    settings.API_AUTH_FAILURES_PER_CLIENT = 3
    settings.API_AUTH_FAILURE_WINDOW_SECONDS = 300
    guesser = Client(REMOTE_ADDR="10.6.6.6")

    guesses = [
        guesser.get("/api/me", headers={"Authorization": f"Bearer sgp_guess{n}"}).status_code
        for n in range(3)
    ]
    token = token_create(user=agent, name="real").token
    held = guesser.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    elsewhere = Client(REMOTE_ADDR="10.7.7.7").get(
        "/api/me", headers={"Authorization": f"Bearer {token}"}
    )

    assert guesses == [401, 401, 401]
    _assert_refused(held, 300)
    assert held.json()["type"] == "urn:sigap:problem:rate_limited"
    assert elsewhere.status_code == 200


def test_the_api_documents_429_on_every_endpoint(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "429" in operation["responses"], (method, path)


@pytest.mark.parametrize("page", ["/login/", "/admin/login/"])
def test_password_guessing_gets_429_with_retry_after_on_both_sign_in_pages(
    settings: Any, client: Client, admin_user: User, page: str
) -> None:
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    settings.LOGIN_THROTTLE_WINDOW_SECONDS = 900

    for n in range(3):
        wrong = client.post(page, {"username": "admin", "password": f"salah-{n}"})
        assert wrong.status_code == 200
    refused = client.post(page, {"username": "admin", "password": PASSWORD})

    _assert_refused(refused, 900)
    assert "_auth_user_id" not in client.session


def test_failures_on_the_admin_sign_in_count_for_the_desk_sign_in(
    settings: Any, client: Client, admin_user: User
) -> None:
    settings.LOGIN_THROTTLE_ATTEMPTS = 2

    for n in range(2):
        client.post("/admin/login/", {"username": "admin", "password": f"salah-{n}"})

    assert client.post("/login/", {"username": "admin", "password": PASSWORD}).status_code == 429


def test_the_admin_signs_in_through_the_admin_page(client: Client, admin_user: User) -> None:
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
