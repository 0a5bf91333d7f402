"""Whatever a client sends, the answer is a problem body with a reason, never a server error."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.tickets.models import Ticket
from tests.api.conftest import ApiClient
from tests.factories import make_customer

HOSTILE: list[Any] = [
    "", "²", "١٢٣", "-1", "0", "1e3", "9" * 30, "\x00", "' OR 1=1 --", "a" * 500, "🙂",
    None, 1.5, True, [], {}, -5, 2**64,
]  # fmt: skip
HOSTILE_TEXT = [value for value in HOSTILE if isinstance(value, str)]


def _refusals(response: Any, where: tuple[Any, ...], found: list[tuple[Any, ...]]) -> None:
    if response.status_code >= 500 or (
        response.status_code >= 400 and response["Content-Type"] != "application/problem+json"
    ):
        found.append((*where, response.status_code))


def test_hostile_query_parameters(supervisor: User, ticket: Ticket, api_as: ApiClient) -> None:
    client = api_as(supervisor)
    customer = make_customer()
    lists = {
        "/api/tickets": ["view", "status", "channel", "priority", "team", "assignee", "category",
                         "q", "cursor", "size"],
        "/api/customers": ["q", "cursor", "size"],
        f"/api/tickets/{ticket.pk}/timeline": ["cursor", "size"],
        f"/api/customers/{customer.pk}/tickets": ["cursor", "size"],
        "/api/agents": ["team"],
    }  # fmt: skip
    found: list[tuple[Any, ...]] = []
    for value in HOSTILE_TEXT:
        for path, names in lists.items():
            for name in names:
                _refusals(client.get(path, {name: value}), (path, name, value), found)
        _refusals(client.get(f"/api/tickets/{value}"), ("ticket id", value), found)

    assert found == []


def test_hostile_bodies(supervisor: User, team_a: Team, ticket: Ticket, api_as: ApiClient) -> None:
    client: Client = api_as(supervisor)
    customer = make_customer()
    fields = [
        ("patch", f"/api/tickets/{ticket.pk}", ["status", "priority", "category_id", "team_id",
                                                "assignee_id", "subject"]),
        ("post", f"/api/tickets/{ticket.pk}/replies", ["body", "status"]),
        ("post", f"/api/tickets/{ticket.pk}/notes", ["body"]),
        ("post", "/api/tickets", ["customer_id", "customer", "summary"]),
        ("post", "/api/customers", ["name", "language", "identities"]),
        ("patch", f"/api/customers/{customer.pk}", ["name", "notes", "is_vip"]),
        ("post", f"/api/customers/{customer.pk}/merge", ["source_id"]),
    ]  # fmt: skip
    found: list[tuple[Any, ...]] = []
    for value in HOSTILE:
        for method, path, names in fields:
            for name in names:
                response = getattr(client, method)(
                    path, data=json.dumps({name: value}), content_type="application/json"
                )
                _refusals(response, (method, path, name, value), found)
    for value in HOSTILE_TEXT:
        for kind in ("email", "phone", "chat", "social"):
            response = client.post(
                f"/api/customers/{customer.pk}/identities",
                data=json.dumps({"kind": kind, "value": value, "network": value[:32]}),
                content_type="application/json",
            )
            _refusals(response, ("identity", kind, value), found)
        contact = {"name": value[:200], "email": value[:320], "phone": value[:40]}
        response = client.post(
            "/api/tickets",
            data=json.dumps(
                {
                    "customer": contact,
                    "channel": "phone",
                    "subject": value[:255],
                    "summary": value,
                    "team_id": team_a.pk,
                }
            ),
            content_type="application/json",
        )
        _refusals(response, ("log contact", value), found)
    for raw in ['{"body": "\\ud800"}', "[" * 100_000, "1e999999", '"text"', "null", "nul\x00"]:
        response = client.post(
            f"/api/tickets/{ticket.pk}/notes", data=raw, content_type="application/json"
        )
        _refusals(response, ("raw body", raw[:20]), found)

    assert found == []
