"""A conversation that moves to another team, or is reopened while its agent is not there, goes
to a free agent again instead of lying with nobody."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import Client

from sigap.accounts.models import Role, Team, User
from sigap.core import clock
from sigap.core.jobs import run_due_jobs
from sigap.routing.models import Presence, QueueEntry
from sigap.routing.services import presence_set
from sigap.tickets.events import EventKind
from sigap.tickets.models import Status, Ticket
from sigap.tickets.services import (
    ticket_change_status,
    ticket_change_team,
    ticket_lock_for_work,
    ticket_receive,
    ticket_reopen_by_system,
    ticket_reply,
)
from tests import factories
from tests.api.conftest import ApiClient
from tests.factories import routing_switch
from tests.routing.helpers import online, routes

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _mail_in_memory(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def corporate_agent(team_b: Team) -> User:
    return factories.make_user("rina", Role.AGENT, [team_b], first_name="Rina")


def _resolved_with(agent: User, team: Team) -> Ticket:
    """A ticket the agent answered and resolved while online."""
    routes(team)
    online(agent)
    ticket = factories.make_ticket(team=team)
    assert ticket.assignee == agent
    ticket_change_status(ticket=ticket, by=agent, status=Status.RESOLVED)
    return ticket


def _away(user: User, status: str = Presence.OFFLINE) -> None:
    presence_set(user=user, status=status, by=user)


def _routed_to(ticket: Ticket) -> list[Any]:
    return list(
        ticket.events.filter(kind=EventKind.ROUTING_ASSIGNED).values_list("data__to_id", flat=True)
    )


# --- moving to another team --------------------------------------------------------------------


def test_a_ticket_moved_to_another_team_goes_to_an_online_agent_there(
    manager: User, agent: User, corporate_agent: User, team_a: Team, team_b: Team
) -> None:
    routes(team_b)
    online(corporate_agent)
    ticket = factories.make_ticket(team=team_a, assignee=agent)

    ticket_change_team(ticket=ticket, by=manager, team=team_b)

    assert ticket.assignee == corporate_agent
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (team_b, corporate_agent)
    assert _routed_to(ticket) == [corporate_agent.pk]


def test_a_ticket_moved_through_the_api_is_routed_in_its_new_team(
    manager: User, corporate_agent: User, team_a: Team, team_b: Team, api_as: ApiClient
) -> None:
    routes(team_b)
    online(corporate_agent)
    ticket = factories.make_ticket(team=team_a)

    response = api_as(manager).patch(
        f"/api/tickets/{ticket.pk}",
        data=json.dumps({"team_id": team_b.pk}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["assignee"] == {"id": corporate_agent.pk, "name": "Rina"}


def test_a_ticket_moved_on_its_page_is_routed_in_its_new_team(
    client: Client, manager: User, corporate_agent: User, team_a: Team, team_b: Team
) -> None:
    routes(team_b)
    online(corporate_agent)
    ticket = factories.make_ticket(team=team_a)
    client.force_login(manager)

    response = client.post(
        f"/tickets/{ticket.pk}/properties/",
        {
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "category": "",
            "team": team_b.pk,
            "assignee": "",
        },
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (team_b, corporate_agent)


def test_a_waiting_ticket_moved_away_leaves_the_old_queue_for_the_new_one(
    manager: User, agent: User, corporate_agent: User, team_a: Team, team_b: Team
) -> None:
    routes(team_a)
    routes(team_b)
    waiting = factories.make_ticket(team=team_a)
    assert QueueEntry.objects.get().team == team_a

    ticket_change_team(ticket=waiting, by=manager, team=team_b)

    assert QueueEntry.objects.get().team == team_b
    online(agent)  # the old team's agent comes back: it is no longer theirs
    waiting.refresh_from_db()
    assert waiting.assignee is None
    online(corporate_agent)
    waiting.refresh_from_db()
    assert waiting.assignee == corporate_agent
    assert not QueueEntry.objects.exists()


def test_a_ticket_moved_to_a_team_that_does_not_route_stays_for_that_team(
    manager: User, agent: User, corporate_agent: User, team_a: Team, team_b: Team
) -> None:
    routes(team_a)
    online(corporate_agent)  # team_b's routing is switched off
    waiting = factories.make_ticket(team=team_a)

    ticket_change_team(ticket=waiting, by=manager, team=team_b)

    waiting.refresh_from_db()
    assert waiting.assignee is None
    assert not QueueEntry.objects.exists()


# --- reopening ---------------------------------------------------------------------------------


def test_a_customer_writing_again_to_an_offline_agents_ticket_reaches_an_online_one(
    agent: User, teammate: User, team_a: Team
) -> None:
    ticket = _resolved_with(agent, team_a)
    _away(agent, Presence.OFFLINE)
    online(teammate)

    ticket_receive(ticket=ticket, customer=ticket.customer, body="Masih rusak, tolong.")

    assert (ticket.status, ticket.assignee) == (Status.OPEN, teammate)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.OPEN, teammate)
    assert _routed_to(ticket) == [agent.pk, teammate.pk]
    moved = ticket.events.filter(kind=EventKind.ASSIGNEE_CHANGED).latest("pk")
    assert moved.data["from"] == agent.display_name


def test_a_ticket_reopened_by_the_follow_up_while_its_agent_is_away_goes_to_a_teammate(
    agent: User, teammate: User, team_a: Team
) -> None:
    ticket = _resolved_with(agent, team_a)
    _away(agent, Presence.AWAY)
    online(teammate)

    with transaction.atomic():
        locked = ticket_lock_for_work(ticket=ticket, by=None)
        assert ticket_reopen_by_system(ticket=locked, at=clock.now(), reason="follow_up")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.OPEN, teammate)


def test_a_reopened_ticket_stays_with_its_agent_who_is_online_with_room(
    agent: User, teammate: User, supervisor: User, team_a: Team
) -> None:
    ticket = _resolved_with(agent, team_a)
    online(teammate)

    ticket_change_status(ticket=ticket, by=supervisor, status=Status.OPEN)
    ticket_receive(ticket=ticket, customer=ticket.customer, body="Satu pertanyaan lagi.")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.OPEN, agent)
    assert _routed_to(ticket) == [agent.pk]


def test_an_agent_who_reopens_their_own_ticket_keeps_it_while_set_away(
    agent: User, teammate: User, team_a: Team
) -> None:
    ticket = _resolved_with(agent, team_a)
    _away(agent, Presence.AWAY)
    online(teammate)

    ticket_reply(ticket=ticket, by=agent, body="Kami cek lagi.", status=Status.OPEN)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.OPEN, agent)


def test_a_reopened_ticket_of_an_agent_whose_hands_are_full_goes_to_a_teammate(
    agent: User, teammate: User, team_a: Team
) -> None:
    ticket = _resolved_with(agent, team_a)
    online(agent, others=1)
    other = factories.make_ticket(team=team_a)
    assert other.assignee == agent  # their one place is taken now
    online(teammate)

    ticket_receive(ticket=ticket, customer=ticket.customer, body="Masih rusak.")

    ticket.refresh_from_db()
    assert ticket.assignee == teammate


def test_a_reopened_ticket_with_nobody_free_waits_in_the_queue_and_alerts_once(
    agent: User, supervisor: User, team_a: Team
) -> None:
    ticket = _resolved_with(agent, team_a)
    _away(agent, Presence.OFFLINE)

    ticket_receive(ticket=ticket, customer=ticket.customer, body="Masih rusak.")
    ticket_receive(ticket=ticket, customer=ticket.customer, body="Halo? Ada orang?")
    run_due_jobs()
    run_due_jobs()

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.OPEN, None)
    assert QueueEntry.objects.get().ticket == ticket
    assert ticket.events.filter(kind=EventKind.ROUTING_QUEUED).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [supervisor.email]
    assert ticket.reference in mail.outbox[0].subject
    online(agent)  # back at the desk: the first free agent gets it
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_a_reopened_ticket_of_a_team_that_does_not_route_keeps_its_agent(
    agent: User, teammate: User, team_a: Team
) -> None:
    ticket = _resolved_with(agent, team_a)
    routing_switch(team_a, enabled=False)
    _away(agent, Presence.OFFLINE)
    online(teammate)

    ticket_receive(ticket=ticket, customer=ticket.customer, body="Masih rusak.")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.OPEN, agent)


def test_a_ticket_waiting_again_later_alerts_the_supervisors_again(
    agent: User, supervisor: User, team_a: Team
) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = _resolved_with(agent, team_a)
        _away(agent)
        ticket_receive(ticket=ticket, customer=ticket.customer, body="Masih rusak.")
        run_due_jobs()
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        online(agent)
        ticket_change_status(ticket=ticket, by=agent, status=Status.RESOLVED)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        _away(agent)
        ticket_receive(ticket=ticket, customer=ticket.customer, body="Rusak lagi.")
        run_due_jobs()

    assert len(mail.outbox) == 2
    assert all(ticket.reference in alert.subject for alert in mail.outbox)
