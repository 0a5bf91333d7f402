from __future__ import annotations

from typing import Any

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.tickets.models import Status, Ticket
from sigap.tickets.services import ticket_change_status
from tests import factories
from tests.web.pages import errors, text


def _form(ticket: Ticket, **changes: Any) -> dict[str, Any]:
    values = {
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category_id or "",
        "team": ticket.team_id or "",
        "assignee": ticket.assignee_id or "",
    }
    return {**values, **changes}


def test_changed_properties_are_saved_each_with_its_event(
    client: Client, agent: User, teammate: User, ticket: Ticket
) -> None:
    category = factories.make_category("Barang rusak")
    client.force_login(agent)

    response = client.post(
        f"/tickets/{ticket.pk}/properties/",
        _form(
            ticket,
            status="open",
            priority="high",
            category=category.pk,
            assignee=teammate.pk,
            subject="Kaca pecah saat diterima",
        ),
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.category, ticket.assignee, ticket.subject) == (
        "open",
        "high",
        category,
        teammate,
        "Kaca pecah saat diterima",
    )
    page = text(client.get(f"/tickets/{ticket.pk}/"))
    assert "The ticket was updated." in page
    assert "Sari changed the assignee from nobody to Budi" in page
    assert "Sari changed the status from New to Open" in page
    assert "Sari changed the priority from Normal to High" in page
    assert "Sari changed the category from no category to Barang rusak" in page
    assert (
        "Sari changed the subject from Barang rusak saat diterima to Kaca pecah saat diterima"
        in page
    )


def test_unchanged_properties_write_no_events(client: Client, agent: User, ticket: Ticket) -> None:
    client.force_login(agent)
    events_before = ticket.events.count()

    response = client.post(f"/tickets/{ticket.pk}/properties/", _form(ticket))

    assert response.status_code == 302
    assert ticket.events.count() == events_before


def test_a_disallowed_transition_is_explained_and_changes_nothing(
    client: Client, agent: User, ticket: Ticket
) -> None:
    ticket_change_status(ticket=ticket, by=agent, status=Status.CLOSED)
    events_before = ticket.events.count()
    client.force_login(agent)

    response = client.post(
        f"/tickets/{ticket.pk}/properties/",
        _form(ticket, status="open", priority="urgent", subject="Dibuka lagi"),
    )

    assert response.status_code == 409
    assert errors(response) == ["A ticket that is Closed cannot become Open."]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.subject) == (
        "closed",
        "normal",
        "Barang rusak saat diterima",
    )
    assert ticket.events.count() == events_before


def test_an_assignee_outside_the_team_is_refused_with_403(
    client: Client, agent: User, outsider: User, ticket: Ticket
) -> None:
    client.force_login(agent)

    response = client.post(
        f"/tickets/{ticket.pk}/properties/", _form(ticket, assignee=outsider.pk, priority="low")
    )

    assert response.status_code == 403
    assert errors(response) == ["Rina is not in this ticket's team."]
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.priority) == (None, "normal")


def test_moving_the_ticket_away_leads_back_to_the_inbox(
    client: Client, agent: User, ticket: Ticket, team_b: Team
) -> None:
    client.force_login(agent)

    response = client.post(f"/tickets/{ticket.pk}/properties/", _form(ticket, team=team_b.pk))

    assert response.status_code == 302
    assert response["Location"] == "/"
    ticket.refresh_from_db()
    assert ticket.team == team_b
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 404
