"""Every new conversation of a routed team goes at once to a free agent who fits it."""

from __future__ import annotations

import pytest
from django.test import Client

from sigap.accounts.models import Role, Team, User
from sigap.routing import services as routing_services
from sigap.routing.models import QueueEntry, Strategy
from sigap.routing.services import route_ticket
from sigap.tickets.events import EventKind
from sigap.tickets.models import Channel, Ticket
from sigap.tickets.services import ticket_change_status, ticket_open
from tests import factories
from tests.factories import routing_switch
from tests.routing.helpers import online, routes

pytestmark = pytest.mark.django_db


def _agents(team: Team, count: int) -> list[User]:
    return [
        factories.make_user(f"agen{n}", Role.AGENT, [team], first_name=f"Agen {n}")
        for n in range(count)
    ]


def test_a_new_conversation_is_assigned_at_once(team_a: Team, agent: User) -> None:
    routes(team_a)
    online(agent)

    ticket = factories.make_ticket(team=team_a)

    assert ticket.assignee == agent
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    routed = ticket.events.get(kind=EventKind.ROUTING_ASSIGNED)
    assert routed.data == {"to": "Sari", "to_id": agent.pk, "strategy": "round_robin"}
    assert ticket.events.filter(kind=EventKind.ASSIGNEE_CHANGED).count() == 1


def test_round_robin_takes_turns(team_a: Team) -> None:
    routes(team_a, Strategy.ROUND_ROBIN)
    first, second, third = _agents(team_a, 3)
    for person in (first, second, third):
        online(person)

    assignees = [factories.make_ticket(team=team_a).assignee for _ in range(7)]

    assert assignees == [first, second, third, first, second, third, first]


def test_least_loaded_picks_the_agent_with_fewest_open_conversations(team_a: Team) -> None:
    routes(team_a, Strategy.LEAST_LOADED)
    busy, idle = _agents(team_a, 2)
    online(busy)
    for _ in range(2):
        factories.make_ticket(team=team_a, assignee=busy)
    online(idle)

    assignees = [factories.make_ticket(team=team_a).assignee for _ in range(4)]

    # idle catches up to busy's two, then they alternate.
    assert assignees[:2] == [idle, idle]
    assert sorted(a.pk for a in assignees[2:]) == sorted([busy.pk, idle.pk])
    event = (
        Ticket.objects.filter(assignee=idle)
        .first()
        .events.get(  # type: ignore[union-attr]
            kind=EventKind.ROUTING_ASSIGNED
        )
    )
    assert event.data["strategy"] == "least_loaded"


def test_capacity_is_never_exceeded(team_a: Team, agent: User) -> None:
    routes(team_a)
    online(agent, chats=2, others=1)

    chats = [factories.make_ticket(team=team_a, channel=Channel.CHAT) for _ in range(3)]
    mails = [factories.make_ticket(team=team_a, channel=Channel.EMAIL) for _ in range(2)]

    assert [t.assignee for t in chats] == [agent, agent, None]
    assert [t.assignee for t in mails] == [agent, None]
    assert QueueEntry.objects.count() == 2


def test_a_resolved_conversation_frees_its_place(team_a: Team, agent: User) -> None:
    routes(team_a)
    online(agent, others=1)
    first = factories.make_ticket(team=team_a)
    ticket_change_status(ticket=first, by=agent, status="resolved")

    second = factories.make_ticket(team=team_a)

    assert second.assignee == agent


def test_the_language_must_match(team_a: Team) -> None:
    routes(team_a)
    indonesian, english = _agents(team_a, 2)
    online(indonesian, languages="id")
    online(english, languages="en")

    customers = {
        "en": factories.make_customer(language="en"),
        "id": factories.make_customer(language="id"),
    }
    tickets = {
        lang: factories.make_ticket(team=team_a, customer=c) for lang, c in customers.items()
    }

    assert tickets["en"].assignee == english
    assert tickets["id"].assignee == indonesian


def test_a_category_goes_to_an_agent_who_knows_it(team_a: Team) -> None:
    routes(team_a)
    refunds = factories.make_category("Refund")
    generalist, specialist = _agents(team_a, 2)
    online(generalist, categories=(factories.make_category("Pengiriman"),))
    online(specialist, categories=(refunds,))
    customer = factories.make_customer()

    ticket = ticket_open(
        customer=customer,
        channel=Channel.EMAIL,
        subject="Refund",
        body="Tolong",
        team=team_a,
        category=refunds,
    )

    assert ticket.assignee == specialist


def test_a_ticket_with_an_assignee_keeps_it(team_a: Team, agent: User, teammate: User) -> None:
    routes(team_a)
    online(agent)

    ticket = factories.make_ticket(team=team_a, assignee=teammate)

    assert ticket.assignee == teammate
    assert route_ticket(ticket) == teammate
    assert not ticket.events.filter(kind=EventKind.ROUTING_ASSIGNED).exists()


def test_a_team_with_routing_switched_off_leaves_tickets_for_the_team(
    team_a: Team, agent: User
) -> None:
    routing_switch(team_a, enabled=False)
    online(agent)

    ticket = factories.make_ticket(team=team_a)

    assert ticket.assignee is None
    assert not QueueEntry.objects.exists()
    assert not ticket.events.filter(kind__startswith="routing_").exists()


def test_nobody_free_puts_the_ticket_in_the_team_queue(team_a: Team, agent: User) -> None:
    routes(team_a)

    ticket = factories.make_ticket(team=team_a)

    assert ticket.assignee is None
    entry = QueueEntry.objects.get()
    assert (entry.ticket, entry.team) == (ticket, team_a)
    queued = ticket.events.get(kind=EventKind.ROUTING_QUEUED)
    assert queued.data == {"team": team_a.name}


def test_the_timeline_says_who_routing_chose_and_why(client: Client, team_a: Team) -> None:
    routes(team_a, Strategy.LEAST_LOADED)
    (person,) = _agents(team_a, 1)
    online(person)
    routed = factories.make_ticket(team=team_a, assignee=None)
    online(person, others=1)
    waiting = factories.make_ticket(team=team_a)

    client.force_login(person)
    routed_page = client.get(f"/tickets/{routed.pk}/").content.decode()
    waiting_page = client.get(f"/tickets/{waiting.pk}/").content.decode()

    assert "assigned the ticket by routing" in routed_page
    assert "to Agen 0 (least loaded)" in routed_page
    assert "put the ticket in the team queue" in waiting_page
    assert f"waiting for a free agent of {team_a.name}" in waiting_page


def test_a_routing_failure_never_loses_the_customers_message(
    team_a: Team, agent: User, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    routes(team_a)
    online(agent)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(routing_services, "online_agents", broken)
    ticket = factories.make_ticket(team=team_a, subject="Paket hilang")

    assert Ticket.objects.get(pk=ticket.pk).subject == "Paket hilang"
    assert ticket.assignee is None
    assert QueueEntry.objects.get().ticket == ticket
    assert f"routing ticket {ticket.pk} failed" in caplog.text

    monkeypatch.undo()
    routing_services.queue_hand_out()
    ticket.refresh_from_db()
    assert ticket.assignee == agent
