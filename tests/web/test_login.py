from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from sigap.accounts.models import User
from tests.factories import PASSWORD
from tests.web.pages import alert

THROTTLED = "Too many sign-in attempts. Try again in 15 minutes."


@pytest.fixture(autouse=True)
def _throttle(settings: Any) -> None:
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    settings.LOGIN_THROTTLE_WINDOW_SECONDS = 900


def _sign_in(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_signing_in_opens_the_inbox(client: Client, agent: User) -> None:
    response = _sign_in(client, "sari", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    inbox = client.get("/")
    assert inbox.status_code == 200
    assert "Sari" in inbox.content.decode()


def test_a_wrong_password_is_refused_with_a_plain_message(client: Client, agent: User) -> None:
    response = _sign_in(client, "sari", "wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get("/").status_code == 302


def test_the_inbox_asks_to_sign_in_first(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_after_too_many_failures_for_a_username_even_the_right_password_is_refused(
    client: Client, agent: User
) -> None:
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert _sign_in(client, "sari", "wrong", ip=ip).status_code == 200

    response = _sign_in(client, "sari", PASSWORD, ip="10.0.0.4")

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert THROTTLED in response.content.decode()
    assert client.get("/").status_code == 302


def test_after_too_many_failures_from_one_address_other_usernames_are_refused(
    client: Client, agent: User, teammate: User
) -> None:
    for username in ("nobody", "someone", "sari"):
        _sign_in(client, username, "wrong", ip="10.0.0.9")

    response = _sign_in(client, "budi", PASSWORD, ip="10.0.0.9")

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 900
    assert _sign_in(client, "budi", PASSWORD, ip="10.0.0.10").status_code == 302


def test_the_refusal_reads_the_same_whether_or_not_the_account_exists(
    client: Client, agent: User
) -> None:
    for _ in range(3):
        _sign_in(client, "sari", "wrong", ip="10.0.1.1")
        _sign_in(client, "ghost", "wrong", ip="10.0.2.1")

    existing = _sign_in(client, "sari", "wrong", ip="10.0.1.1")
    missing = _sign_in(client, "ghost", "wrong", ip="10.0.2.1")

    assert existing.status_code == missing.status_code == 429
    assert existing["Retry-After"] == missing["Retry-After"]
    assert alert(existing) == alert(missing) == THROTTLED


def test_a_successful_sign_in_keeps_the_address_count_for_other_usernames(
    client: Client, agent: User, teammate: User
) -> None:
    _sign_in(client, "nobody", "wrong", ip="10.0.0.7")
    _sign_in(client, "someone", "wrong", ip="10.0.0.7")
    assert _sign_in(client, "sari", PASSWORD, ip="10.0.0.7").status_code == 302
    client.post("/logout/")

    _sign_in(client, "another", "wrong", ip="10.0.0.7")
    response = _sign_in(client, "budi", PASSWORD, ip="10.0.0.7")

    assert response.status_code == 429


def test_a_successful_sign_in_forgets_the_username_failures(client: Client, agent: User) -> None:
    _sign_in(client, "sari", "wrong", ip="10.0.0.1")
    _sign_in(client, "sari", "wrong", ip="10.0.0.2")
    assert _sign_in(client, "sari", PASSWORD, ip="10.0.0.3").status_code == 302
    client.post("/logout/")

    _sign_in(client, "sari", "wrong", ip="10.0.0.4")
    _sign_in(client, "sari", "wrong", ip="10.0.0.5")

    assert _sign_in(client, "sari", PASSWORD, ip="10.0.0.6").status_code == 302


def test_signing_out_takes_a_post_and_ends_the_session(client: Client, agent: User) -> None:
    client.force_login(agent)

    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_once_the_window_has_passed_signing_in_works_again(client: Client, agent: User) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        for _ in range(3):
            _sign_in(client, "sari", "wrong")
        assert _sign_in(client, "sari", PASSWORD).status_code == 429

        traveller.shift(timedelta(seconds=600))
        refused = _sign_in(client, "sari", PASSWORD)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "300"

        traveller.shift(timedelta(seconds=301))
        assert _sign_in(client, "sari", PASSWORD).status_code == 302
