from __future__ import annotations

import pytest
from django.test import Client

from sigap.accounts.models import User
from sigap.tickets.models import Ticket

POSTS = [
    ("reply", {"body": "Bukan tiket saya", "status": ""}),
    ("note", {"body": "Catatan"}),
    ("properties", {"subject": "Diambil alih", "status": "open", "priority": "urgent"}),
]


def test_another_teams_ticket_page_is_not_found(
    client: Client, outsider: User, ticket: Ticket
) -> None:
    client.force_login(outsider)

    response = client.get(f"/tickets/{ticket.pk}/")

    assert response.status_code == 404
    assert ticket.subject not in response.content.decode()


@pytest.mark.parametrize(("action", "data"), POSTS)
def test_every_change_to_another_teams_ticket_is_not_found_and_changes_nothing(
    client: Client, outsider: User, ticket: Ticket, action: str, data: dict[str, str]
) -> None:
    client.force_login(outsider)
    events_before = ticket.events.count()

    response = client.post(f"/tickets/{ticket.pk}/{action}/", data)

    assert response.status_code == 404
    assert ticket.events.count() == events_before
    assert ticket.messages.count() == 1
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.status, ticket.priority) == (
        "Barang rusak saat diterima",
        "new",
        "normal",
    )


def test_a_ticket_that_does_not_exist_is_not_found(client: Client, agent: User) -> None:
    client.force_login(agent)

    assert client.get("/tickets/999999/").status_code == 404


def test_the_ticket_page_asks_to_sign_in_first(client: Client, ticket: Ticket) -> None:
    response = client.get(f"/tickets/{ticket.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/tickets/{ticket.pk}/"
