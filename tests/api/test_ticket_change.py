from __future__ import annotations

import json
from typing import Any

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.tickets.models import Ticket
from sigap.tickets.services import ticket_assign, ticket_change_category, ticket_change_status
from tests.api.conftest import ApiClient
from tests.factories import make_category


def _patch(client: Client, ticket: Ticket, body: dict[str, Any]) -> Any:
    return client.patch(
        f"/api/tickets/{ticket.pk}", data=json.dumps(body), content_type="application/json"
    )


def test_only_the_fields_sent_are_changed(agent: User, ticket: Ticket, api_as: ApiClient) -> None:
    response = _patch(api_as(agent), ticket, {"priority": "high", "status": "pending_customer"})

    assert response.status_code == 200
    body = response.json()
    assert (body["priority"], body["status"]) == ("high", "pending_customer")
    assert body["subject"] == "Barang rusak saat diterima"
    kinds = list(ticket.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["ticket_created", "priority_changed", "status_changed"]


def test_explicit_null_clears_category_and_assignee(
    agent: User, ticket: Ticket, api_as: ApiClient
) -> None:
    ticket_change_category(ticket=ticket, by=agent, category=make_category("Pengiriman"))
    ticket_assign(ticket=ticket, by=agent, assignee=agent)

    response = _patch(api_as(agent), ticket, {"category_id": None, "assignee_id": None})

    assert response.status_code == 200
    assert (response.json()["category"], response.json()["assignee"]) == (None, None)
    ticket.refresh_from_db()
    assert ticket.category_id is None
    assert ticket.assignee_id is None


def test_assign_to_a_teammate_and_set_category(
    agent: User, teammate: User, ticket: Ticket, api_as: ApiClient
) -> None:
    category = make_category("Pengiriman")

    response = _patch(
        api_as(agent), ticket, {"assignee_id": teammate.pk, "category_id": category.pk}
    )

    assert response.status_code == 200
    assert response.json()["assignee"] == {"id": teammate.pk, "name": "Budi"}
    assert response.json()["category"] == {"id": category.pk, "name": "Pengiriman"}


def test_a_forbidden_transition_is_409_and_writes_nothing(
    agent: User, ticket: Ticket, api_as: ApiClient
) -> None:
    ticket_change_status(ticket=ticket, by=agent, status="closed")
    events_before = ticket.events.count()

    response = _patch(api_as(agent), ticket, {"priority": "urgent", "status": "open"})

    assert response.status_code == 409
    assert response.json()["detail"] == "A ticket that is Closed cannot become Open."
    assert response.json()["field"] == "status"
    assert ticket.events.count() == events_before
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.status) == ("normal", "closed")


def test_an_unknown_priority_is_400_naming_the_field(
    agent: User, ticket: Ticket, api_as: ApiClient
) -> None:
    response = _patch(api_as(agent), ticket, {"priority": "kritis"})

    assert response.status_code == 400
    problem = response.json()
    assert problem["field"] == "priority"
    assert problem["detail"] == "priority: Choose one of: low, normal, high, urgent."
    assert problem["errors"] == [
        {"field": "priority", "detail": "Choose one of: low, normal, high, urgent."}
    ]


def test_unknown_ids_are_400_naming_the_field_and_change_nothing(
    agent: User, ticket: Ticket, api_as: ApiClient
) -> None:
    client = api_as(agent)
    for field in ("category_id", "team_id", "assignee_id"):
        response = _patch(client, ticket, {"priority": "high", field: 999_999})

        assert response.status_code == 400, field
        assert response.json()["field"] == field
        assert "999999" in response.json()["detail"]
    ticket.refresh_from_db()
    assert ticket.priority == "normal"
    assert ticket.events.count() == 1


def test_a_misspelt_field_is_refused_rather_than_ignored(
    agent: User, ticket: Ticket, api_as: ApiClient
) -> None:
    response = _patch(api_as(agent), ticket, {"priorty": "high"})

    assert response.status_code == 400
    assert response.json()["detail"] == "priorty: This field is not expected here."


def test_status_cannot_be_set_to_null(agent: User, ticket: Ticket, api_as: ApiClient) -> None:
    response = _patch(api_as(agent), ticket, {"status": None})

    assert response.status_code == 400
    assert response.json()["field"] == "status"


def test_assigning_someone_outside_the_team_is_403(
    agent: User, outsider: User, ticket: Ticket, api_as: ApiClient
) -> None:
    response = _patch(api_as(agent), ticket, {"assignee_id": outsider.pk})

    assert response.status_code == 403
    assert response.json() == {
        "type": "urn:sigap:problem:forbidden",
        "title": "Not allowed",
        "status": 403,
        "detail": "Rina is not in this ticket's team.",
        "field": "assignee_id",
        "errors": [{"field": "assignee_id", "detail": "Rina is not in this ticket's team."}],
    }
    ticket.refresh_from_db()
    assert ticket.assignee_id is None


def test_moving_to_another_team_unassigns_a_member_of_the_old_team(
    manager: User, agent: User, team_b: Team, ticket: Ticket, api_as: ApiClient
) -> None:
    ticket_assign(ticket=ticket, by=manager, assignee=agent)

    response = _patch(api_as(manager), ticket, {"team_id": team_b.pk})

    assert response.status_code == 200
    assert response.json()["team"] == {"id": team_b.pk, "name": "Korporat"}
    assert response.json()["assignee"] is None


def test_only_a_manager_may_leave_a_ticket_without_team(
    agent: User, ticket: Ticket, api_as: ApiClient
) -> None:
    response = _patch(api_as(agent), ticket, {"team_id": None})

    assert response.status_code == 403
    assert response.json()["field"] == "team_id"
