"""Bad input gets a problem body with a reason, never a 500 or an HTML page."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from sigap.accounts.models import User
from sigap.tickets.models import Ticket
from tests.api.conftest import ApiClient


def _reply(client: Client, ticket: Ticket, raw: str | bytes) -> Any:
    return client.post(
        f"/api/tickets/{ticket.pk}/replies", data=raw, content_type="application/json"
    )


def test_malformed_json_is_400_with_where_it_broke(
    agent: User, ticket: Ticket, api_as: ApiClient
) -> None:
    response = _reply(api_as(agent), ticket, '{"body": "Halo",')

    assert response.status_code == 400
    assert response.json() == {
        "type": "urn:sigap:problem:malformed_json",
        "title": "Invalid input",
        "status": 400,
        "detail": "The request body is not valid JSON (line 1, column 17).",
        "field": None,
        "errors": [],
    }
    assert ticket.messages.count() == 1


def test_a_body_that_is_not_utf8_is_400(agent: User, ticket: Ticket, api_as: ApiClient) -> None:
    response = _reply(api_as(agent), ticket, b'{"body": "\xff\xfe"}')

    assert response.status_code == 400
    assert response.json()["type"] == "urn:sigap:problem:malformed_json"


def test_json_that_is_not_an_object_is_400(agent: User, ticket: Ticket, api_as: ApiClient) -> None:
    response = _reply(api_as(agent), ticket, "[1, 2]")

    assert response.status_code == 400
    assert response.json()["detail"] == "The request body must be a JSON object."
    assert response.json()["field"] is None


def test_a_missing_body_is_asked_for(agent: User, ticket: Ticket, api_as: ApiClient) -> None:
    response = _reply(api_as(agent), ticket, "")

    assert response.status_code == 400
    assert response.json()["detail"] == "Send a JSON object as the request body."


def test_a_missing_field_is_named(agent: User, ticket: Ticket, api_as: ApiClient) -> None:
    response = _reply(api_as(agent), ticket, "{}")

    assert response.status_code == 400
    assert response.json()["detail"] == "body: This field is required."
    assert response.json()["field"] == "body"


def test_an_oversized_body_is_413_and_nothing_is_saved(
    agent: User, ticket: Ticket, api_as: ApiClient, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = _reply(api_as(agent), ticket, json.dumps({"body": "x" * 2000}))

    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is larger than 1000 bytes."
    assert ticket.messages.count() == 1


def test_nul_characters_are_refused_before_they_reach_the_database(
    agent: User, ticket: Ticket, api_as: ApiClient
) -> None:
    client = api_as(agent)

    reply = _reply(client, ticket, json.dumps({"body": "Halo\u0000"}))
    search = client.get("/api/tickets?q=rusak%00")

    assert reply.status_code == 400
    assert reply.json()["detail"] == "body: Must not contain NUL characters."
    assert search.status_code == 400


def test_a_wrong_method_and_an_unknown_address_are_problems_too(
    agent: User, api_as: ApiClient
) -> None:
    client = api_as(agent)

    wrong_method = client.delete("/api/tickets")
    nowhere = client.get("/api/tiket")

    assert wrong_method.status_code == 405
    assert wrong_method["Allow"] == "GET, POST"
    assert wrong_method.json()["detail"] == "This address accepts only GET, POST."
    assert nowhere.status_code == 404
    assert nowhere["Content-Type"] == "application/problem+json"
