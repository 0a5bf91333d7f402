"""`POST /api/tickets/bulk`: one result per ticket; the SOP close gate, the permissions and the
bound hold, and a bad body is refused naming the field, with nothing changed."""

from __future__ import annotations

from typing import Any

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.accounts.services import token_create
from sigap.sops.models import SopVersion
from sigap.tickets.bulk import MAX_TICKETS
from sigap.tickets.models import Status
from tests.factories import make_ticket
from tests.tickets.bulk_desk import GATE, batch, read_only_agent, status_of, untouched


def api_as(user: User) -> Client:
    token = token_create(user=user, name="test").token
    return Client(headers={"Authorization": f"Bearer {token}"})


def _post(api: Any, body: dict[str, Any]) -> Any:
    return api.post("/api/tickets/bulk", body, content_type="application/json")


def test_a_batch_is_resolved_except_the_ticket_the_close_gate_holds(
    damaged_product: SopVersion,
    team_a: Team,
    team_b: Team,
    agent: User,
    supervisor: User,
) -> None:
    tickets = batch(team_a, team_b, supervisor)

    response = _post(api_as(agent), {"ids": tickets.ids, "action": "status", "status": "resolved"})

    assert response.status_code == 200
    body = response.json()
    assert (body["done"], body["unchanged"], body["refused"]) == (1, 0, 2)
    gated, waived, foreign = body["results"]
    assert (gated["id"], gated["outcome"], gated["code"]) == (
        tickets.gated.pk,
        "refused",
        "conflict",
    )
    assert GATE in gated["reason"]
    assert waived == {
        "id": tickets.waived.pk,
        "reference": tickets.waived.reference,
        "outcome": "done",
        "reason": "",
        "code": "",
    }
    assert (foreign["outcome"], foreign["code"]) == ("refused", "not_found")
    assert status_of(tickets.waived) == Status.RESOLVED
    assert untouched(tickets.gated)
    assert untouched(tickets.foreign)


def test_someone_who_may_not_change_tickets_is_answered_403(team_a: Team) -> None:
    ticket = make_ticket(team=team_a)

    response = _post(
        api_as(read_only_agent(team_a)),
        {"ids": [ticket.pk], "action": "status", "status": "resolved"},
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert untouched(ticket)


def test_a_bad_body_is_refused_naming_the_field(team_a: Team, agent: User) -> None:
    ticket = make_ticket(team=team_a)
    api = api_as(agent)
    too_many = [ticket.pk, *range(ticket.pk + 1, ticket.pk + MAX_TICKETS + 1)]
    cases = {
        "action": {"ids": [ticket.pk], "action": "explode"},
        "status": {"ids": [ticket.pk], "action": "status"},
        "assignee_id": {"ids": [ticket.pk], "action": "assign"},
        "ids": {"ids": too_many, "action": "status", "status": "resolved"},
        "ids[0]": {"ids": ["SGP-1"], "action": "status", "status": "resolved"},
        "reason": {"ids": [ticket.pk], "action": "status", "status": "open", "reason": "x" * 501},
        "colour": {"ids": [ticket.pk], "action": "status", "status": "open", "colour": "red"},
    }

    for field, body in cases.items():
        response = _post(api, body)
        assert response.status_code == 400, (field, response.content)
        assert response.json()["field"] == field, response.json()

    assert untouched(ticket)


def test_assigning_through_the_api(team_a: Team, agent: User, teammate: User) -> None:
    first, second = make_ticket(team=team_a), make_ticket(team=team_a)

    given = _post(
        api_as(agent),
        {"ids": [first.pk, second.pk], "action": "assign", "assignee_id": teammate.pk},
    )
    taken_back = _post(api_as(agent), {"ids": [second.pk], "action": "assign", "assignee_id": None})

    assert given.json()["done"] == 2
    assert taken_back.json()["done"] == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.assignee, second.assignee) == (teammate, None)
