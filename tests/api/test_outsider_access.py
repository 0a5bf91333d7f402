"""An agent of another team is told the ticket does not exist, whatever they try."""

from __future__ import annotations

import json

import pytest

from sigap.accounts.models import User
from sigap.tickets.models import Ticket
from tests.api.conftest import ApiClient

ATTEMPTS = [
    ("get", "", None),
    ("patch", "", {"priority": "urgent"}),
    ("get", "/timeline", None),
    ("post", "/replies", {"body": "Halo dari tim lain"}),
    ("post", "/notes", {"body": "Catatan dari tim lain"}),
]


@pytest.mark.parametrize(("method", "suffix", "body"), ATTEMPTS)
def test_outsider_gets_404_on_another_teams_ticket(
    outsider: User,
    ticket: Ticket,
    api_as: ApiClient,
    method: str,
    suffix: str,
    body: dict[str, str] | None,
) -> None:
    events_before = ticket.events.count()
    client = api_as(outsider)
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}

    response = getattr(client, method)(f"/api/tickets/{ticket.pk}{suffix}", **kwargs)

    assert response.status_code == 404
    assert response.json()["detail"] == f"No ticket {ticket.pk}, or you may not see it."
    assert ticket.events.count() == events_before
    assert ticket.messages.count() == 1
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


def test_outsider_is_told_the_same_for_a_ticket_that_does_not_exist(
    outsider: User, ticket: Ticket, api_as: ApiClient
) -> None:
    missing = api_as(outsider).get(f"/api/tickets/{ticket.pk + 1000}")
    hidden = api_as(outsider).get(f"/api/tickets/{ticket.pk}")

    assert missing.status_code == hidden.status_code == 404
    assert missing.json()["title"] == hidden.json()["title"] == "Not found"


def test_outsider_does_not_see_the_ticket_in_inbox_or_customer_list(
    outsider: User, ticket: Ticket, api_as: ApiClient
) -> None:
    client = api_as(outsider)

    inbox = client.get("/api/tickets?view=all&status=any").json()
    of_customer = client.get(f"/api/customers/{ticket.customer_id}/tickets").json()

    assert inbox == {"items": [], "next_cursor": None}
    assert of_customer == {"items": [], "next_cursor": None}
