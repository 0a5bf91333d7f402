from __future__ import annotations

from typing import Any

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.customers.models import Customer, CustomerIdentity
from sigap.tickets.models import Channel, Status, Ticket
from tests import factories
from tests.web.pages import errors, text


def _form(team: Team, **values: Any) -> dict[str, Any]:
    return {
        "channel": "phone",
        "customer": "",
        "email": "",
        "phone": "",
        "name": "",
        "subject": "Tanya garansi",
        "summary": "Menelepon menanyakan masa garansi kulkas.",
        "team": team.pk,
        "priority": "normal",
        "category": "",
        **values,
    }


def test_the_form_offers_the_agents_first_team(client: Client, agent: User) -> None:
    client.force_login(agent)

    response = client.get("/tickets/new/contact/")

    assert response.status_code == 200
    assert response.context["form"]["team"].initial == agent.teams.get().pk


def test_a_phone_call_from_a_new_caller_becomes_a_ticket_assigned_to_the_agent(
    client: Client, agent: User, team_a: Team
) -> None:
    client.force_login(agent)

    response = client.post(
        "/tickets/new/contact/", _form(team_a, phone="0812 3456 789", name="Joko Widodo")
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert (ticket.channel, ticket.team, ticket.assignee, ticket.status) == (
        Channel.PHONE,
        team_a,
        agent,
        Status.NEW,
    )
    assert ticket.customer.name == "Joko Widodo"
    assert ticket.customer.identities.get().value == "+628123456789"
    page = text(client.get(response["Location"]))
    assert f"{ticket.reference} was logged." in page
    assert "Sari logged the contact by Phone" in page
    assert "Menelepon menanyakan masa garansi kulkas." in page


def test_a_known_caller_is_found_by_email_and_resolved_on_the_spot(
    client: Client, agent: User, team_a: Team
) -> None:
    known = factories.make_customer("Wati Susanto", email="wati@mail.example")
    client.force_login(agent)

    client.post(
        "/tickets/new/contact/",
        _form(team_a, channel="walk_in", email="WATI@mail.example", resolved_on_the_spot="on"),
    )

    ticket = Ticket.objects.get()
    assert ticket.customer == known
    assert ticket.channel == Channel.WALK_IN
    assert ticket.status == Status.RESOLVED
    assert Customer.objects.count() == 1


def test_an_existing_customer_can_be_picked_by_number(
    client: Client, agent: User, team_a: Team
) -> None:
    known = factories.make_customer("Wati Susanto")
    client.force_login(agent)

    client.post("/tickets/new/contact/", _form(team_a, customer=known.pk))

    assert Ticket.objects.get().customer == known


def test_a_bad_phone_number_is_shown_beside_the_field_and_nothing_is_saved(
    client: Client, agent: User, team_a: Team
) -> None:
    client.force_login(agent)

    response = client.post("/tickets/new/contact/", _form(team_a, phone="12ab"))

    assert response.status_code == 400
    assert errors(response) == ["12ab is not a valid phone number."]
    assert Ticket.objects.count() == 0
    assert CustomerIdentity.objects.count() == 0


def test_without_any_way_to_find_the_customer_the_form_asks_for_one(
    client: Client, agent: User, team_a: Team
) -> None:
    client.force_login(agent)

    response = client.post("/tickets/new/contact/", _form(team_a))

    assert response.status_code == 400
    assert errors(response) == ["Give the customer's number, email address or phone number."]
    assert Ticket.objects.count() == 0


def test_an_agent_cannot_log_a_contact_for_another_team(
    client: Client, agent: User, team_b: Team
) -> None:
    client.force_login(agent)

    response = client.post("/tickets/new/contact/", _form(team_b, phone="081234567890"))

    assert response.status_code == 400
    assert errors(response) == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert Ticket.objects.count() == 0
