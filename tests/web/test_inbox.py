from __future__ import annotations

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.tickets.models import Channel, Priority, Status, Ticket
from sigap.tickets.services import ticket_change_status
from tests import factories
from tests.web.pages import errors, listed_references, next_link, text


def _inbox(client: Client, user: User, query: str = "") -> tuple[int, list[str]]:
    client.force_login(user)
    response = client.get(f"/{query}")
    return response.status_code, listed_references(response)


def test_the_inbox_lists_the_team_tickets_with_their_facts(
    client: Client, agent: User, team_a: Team
) -> None:
    customer = factories.make_customer("Wati Susanto", email="wati@mail.example")
    ticket = factories.make_ticket(
        team=team_a, customer=customer, subject="Kulkas tidak dingin", priority=Priority.HIGH
    )
    client.force_login(agent)

    response = client.get("/")

    assert response.status_code == 200
    assert listed_references(response) == [ticket.reference]
    row = text(response)
    for shown in ("Kulkas tidak dingin", "Wati Susanto", "Email", "New", "High"):
        assert shown in row
    assert "Pelanggan Retail" in row
    assert "Unassigned" in row


def test_another_teams_tickets_are_not_listed(
    client: Client, agent: User, team_a: Team, team_b: Team
) -> None:
    mine = factories.make_ticket(team=team_a)
    factories.make_ticket(team=team_b)

    assert _inbox(client, agent) == (200, [mine.reference])


def test_the_tabs_narrow_the_list(
    client: Client, agent: User, teammate: User, team_a: Team
) -> None:
    unassigned = factories.make_ticket(team=team_a)
    for_me = factories.make_ticket(team=team_a, assignee=agent)
    for_budi = factories.make_ticket(team=team_a, assignee=teammate)

    assert _inbox(client, agent, "?view=mine")[1] == [for_me.reference]
    assert _inbox(client, agent, "?view=unassigned")[1] == [unassigned.reference]
    assert _inbox(client, agent, "?view=team")[1] == [
        for_budi.reference,
        for_me.reference,
        unassigned.reference,
    ]


def test_only_active_tickets_show_unless_another_status_is_asked_for(
    client: Client, agent: User, ticket: Ticket, team_a: Team
) -> None:
    done = factories.make_ticket(team=team_a)
    ticket_change_status(ticket=done, by=agent, status=Status.RESOLVED)

    assert _inbox(client, agent)[1] == [ticket.reference]
    assert _inbox(client, agent, "?status=resolved")[1] == [done.reference]
    assert _inbox(client, agent, "?status=any")[1] == [done.reference, ticket.reference]


def test_channel_priority_and_team_filters(
    client: Client, manager: User, team_a: Team, team_b: Team
) -> None:
    phone = factories.make_ticket(team=team_a, channel=Channel.PHONE)
    urgent = factories.make_ticket(team=team_a, priority=Priority.URGENT)
    elsewhere = factories.make_ticket(team=team_b)

    assert _inbox(client, manager, "?channel=phone")[1] == [phone.reference]
    assert _inbox(client, manager, "?priority=urgent")[1] == [urgent.reference]
    assert _inbox(client, manager, f"?team={team_b.pk}")[1] == [elsewhere.reference]


def test_search_by_reference_subject_customer_name_and_email(
    client: Client, agent: User, team_a: Team
) -> None:
    wati = factories.make_customer("Wati Susanto", email="wati@mail.example")
    fridge = factories.make_ticket(team=team_a, customer=wati, subject="Kulkas tidak dingin")
    parcel = factories.make_ticket(team=team_a, subject="Paket belum sampai")

    assert _inbox(client, agent, f"?q={parcel.reference}")[1] == [parcel.reference]
    assert _inbox(client, agent, f"?q={parcel.pk}")[1] == [parcel.reference]
    assert _inbox(client, agent, "?q=paket")[1] == [parcel.reference]
    assert _inbox(client, agent, "?q=susanto")[1] == [fridge.reference]
    assert _inbox(client, agent, "?q=wati@mail.example")[1] == [fridge.reference]


def test_a_bad_filter_is_explained_with_status_400(client: Client, agent: User) -> None:
    client.force_login(agent)

    response = client.get("/?status=bogus")

    assert response.status_code == 400
    assert errors(response) == [
        "bogus is not a valid status; choose one of: active, any, new, open, "
        "pending_customer, pending_internal, resolved, closed."
    ]
    assert listed_references(response) == []


def test_a_bad_page_link_is_explained_with_status_400(
    client: Client, agent: User, ticket: Ticket
) -> None:
    client.force_login(agent)

    response = client.get("/?cursor=not-a-cursor")

    assert response.status_code == 400
    assert errors(response) == ["This page link is not valid."]


def test_the_next_page_continues_where_the_first_ended(
    client: Client, agent: User, team_a: Team
) -> None:
    oldest, middle, newest = (factories.make_ticket(team=team_a) for _ in range(3))
    client.force_login(agent)

    first = client.get("/?size=2&view=team")
    link = next_link(first)
    assert listed_references(first) == [newest.reference, middle.reference]
    assert link is not None
    assert "view=team" in link
    second = client.get(link)

    assert listed_references(second) == [oldest.reference]
    assert next_link(second) is None


def test_the_list_partial_renders_only_the_list_and_keeps_the_address_in_step(
    client: Client, agent: User, ticket: Ticket
) -> None:
    client.force_login(agent)

    response = client.get("/inbox/list/?status=any&q=rusak", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert listed_references(response) == [ticket.reference]
    assert "<html" not in response.content.decode()
    assert response["HX-Replace-Url"] == "/?status=any&q=rusak"


def test_the_list_partial_explains_a_bad_filter_with_status_400(
    client: Client, agent: User
) -> None:
    client.force_login(agent)

    response = client.get("/inbox/list/?priority=asap", HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert errors(response) == [
        "asap is not a valid priority; choose one of: low, normal, high, urgent."
    ]
