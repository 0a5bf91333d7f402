from __future__ import annotations

from typing import Any

from django.test import Client

from sigap.accounts.models import User
from sigap.accounts.services import token_create, token_revoke
from tests.api.conftest import ApiClient


def _problem_of(response: Any) -> Any:
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_without_a_token_the_api_answers_401_with_a_problem(agent: User) -> None:
    response = Client().get("/api/me")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert _problem_of(response) == {
        "type": "urn:sigap:problem:unauthenticated",
        "title": "Not signed in",
        "status": 401,
        "detail": "Send a valid API token in the header Authorization: Bearer <token>.",
        "field": None,
        "errors": [],
    }


def test_a_wrong_token_is_refused(agent: User) -> None:
    token_create(user=agent)
    for header in ("Bearer sgp_not-a-real-token", "Bearer ", "Basic c2FyaTpwYXNz", "sgp_x"):
        response = Client(headers={"Authorization": header}).get("/api/me")
        assert response.status_code == 401, header


def test_a_revoked_token_stops_working(agent: User) -> None:
    issued = token_create(user=agent)
    client = Client(headers={"Authorization": f"Bearer {issued.token}"})
    assert client.get("/api/me").status_code == 200

    token_revoke(user=agent, prefix=issued.record.prefix)

    assert client.get("/api/me").status_code == 401


def test_a_deactivated_user_is_refused(agent: User, api_as: ApiClient) -> None:
    client = api_as(agent)
    agent.is_active = False
    agent.save()

    assert client.get("/api/tickets").status_code == 401


def test_a_browser_session_does_not_sign_in_to_the_api(agent: User) -> None:
    client = Client()
    client.force_login(agent)

    assert client.get("/api/me").status_code == 401
