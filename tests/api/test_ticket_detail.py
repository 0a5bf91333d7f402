from __future__ import annotations

from sigap.accounts.models import Team, User
from sigap.tickets.models import Ticket
from tests.api.conftest import ApiClient


def test_ticket_details_show_customer_team_and_times(
    agent: User, team_a: Team, ticket: Ticket, api_as: ApiClient
) -> None:
    response = api_as(agent).get(f"/api/tickets/{ticket.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == f"SGP-{ticket.pk:06d}"
    assert body["subject"] == "Barang rusak saat diterima"
    assert body["status"] == "new"
    assert body["channel"] == "email"
    assert body["customer"] == {
        "id": ticket.customer_id,
        "name": ticket.customer.name,
        "is_vip": False,
        "language": "id",
    }
    assert body["team"] == {"id": team_a.pk, "name": "Pelanggan Retail"}
    assert body["assignee"] is None
    assert body["category"] is None
    assert body["created_by"] is None
    assert body["message_count"] == 1
    assert body["created_at"] == body["updated_at"]
    assert body["first_response_at"] is None


def test_an_id_beyond_any_ticket_is_refused_plainly(agent: User, api_as: ApiClient) -> None:
    client = api_as(agent)

    too_big = client.get(f"/api/tickets/{2**70}")
    not_a_number = client.get("/api/tickets/abc")

    assert too_big.status_code == 400
    assert too_big.json()["detail"] == "ticket_id: Must be at most 9223372036854775807."
    assert not_a_number.status_code == 400
    assert not_a_number.json()["detail"] == "ticket_id: Must be a whole number."
