"""Nobody free: the conversation waits in the team queue, supervisors hear of it once, and the
first agent who becomes free gets the oldest waiting conversation that fits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail

from sigap.accounts.models import Team, User
from sigap.core.jobs import run_due_jobs
from sigap.core.models import Job
from sigap.routing import services as routing_services
from sigap.routing.models import Presence, QueueEntry
from sigap.routing.services import presence_set, queue_hand_out, route_ticket
from sigap.tickets.events import EventKind
from sigap.tickets.models import Channel, Ticket
from sigap.tickets.services import ticket_assign, ticket_change_status
from tests import factories
from tests.routing.helpers import online, routes, skills

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _mail_in_memory(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _waiting(team: Team, count: int, **kwargs: Any) -> list[Ticket]:
    tickets = []
    for minute in range(count):
        with time_machine.travel(T0 + timedelta(minutes=minute), tick=False):
            tickets.append(factories.make_ticket(team=team, **kwargs))
    return tickets


def test_supervisors_are_mailed_once_per_waiting_ticket(
    team_a: Team, agent: User, supervisor: User
) -> None:
    routes(team_a)
    ticket = factories.make_ticket(team=team_a)
    route_ticket(ticket)  # routed again while still waiting: no second alert

    run_due_jobs()
    run_due_jobs()

    assert len(mail.outbox) == 1
    alert = mail.outbox[0]
    assert alert.to == [supervisor.email]
    assert ticket.reference in alert.subject
    assert f"Waiting in the {team_a.name} queue" in alert.subject
    assert Job.objects.filter(kind="routing_queue_alert").count() == 1
    assert ticket.events.filter(kind=EventKind.ROUTING_QUEUED).count() == 1


def test_the_mail_is_not_sent_when_an_agent_took_it_first(
    team_a: Team, agent: User, supervisor: User
) -> None:
    routes(team_a)
    ticket = factories.make_ticket(team=team_a)
    online(agent)

    run_due_jobs()

    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert mail.outbox == []


def test_an_agent_coming_online_gets_the_oldest_waiting_first(team_a: Team, agent: User) -> None:
    routes(team_a)
    oldest, middle, newest = _waiting(team_a, 3)

    online(agent, others=2)

    assigned = {t.pk: t.assignee_id for t in Ticket.objects.all()}
    assert assigned == {oldest.pk: agent.pk, middle.pk: agent.pk, newest.pk: None}
    assert list(QueueEntry.objects.values_list("ticket_id", flat=True)) == [newest.pk]


def test_the_oldest_waiting_that_fits_is_handed_out(team_a: Team, agent: User) -> None:
    routes(team_a)
    english = factories.make_customer(language="en")
    _waiting(team_a, 1, customer=english)
    (indonesian,) = _waiting(team_a, 1)

    online(agent, languages="id")

    indonesian.refresh_from_db()
    assert indonesian.assignee == agent
    assert QueueEntry.objects.get().ticket.customer == english


def test_a_resolved_conversation_lets_the_executor_hand_out_the_next(
    team_a: Team, agent: User
) -> None:
    routes(team_a)
    online(agent, others=1)
    first, second = _waiting(team_a, 2)
    assert (first.assignee, second.assignee) == (agent, None)

    ticket_change_status(ticket=first, by=agent, status="resolved")
    run_due_jobs()

    second.refresh_from_db()
    assert second.assignee == agent
    assert not QueueEntry.objects.exists()
    assert second.events.filter(kind=EventKind.ROUTING_ASSIGNED).count() == 1


def test_each_waiting_ticket_is_handed_out_exactly_once(team_a: Team, agent: User) -> None:
    routes(team_a)
    _waiting(team_a, 3)
    skills(agent, others=10)
    presence_set(user=agent, status=Presence.ONLINE, by=agent)

    assert queue_hand_out() == 0
    assert queue_hand_out() == 0

    for ticket in Ticket.objects.all():
        assert ticket.assignee == agent
        assert ticket.events.filter(kind=EventKind.ROUTING_ASSIGNED).count() == 1
        assert ticket.events.filter(kind=EventKind.ASSIGNEE_CHANGED).count() == 1


def test_a_ticket_taken_by_hand_leaves_the_queue(team_a: Team, agent: User, teammate: User) -> None:
    routes(team_a)
    (ticket,) = _waiting(team_a, 1)
    ticket_assign(ticket=ticket, by=teammate, assignee=teammate)

    online(agent)

    ticket.refresh_from_db()
    assert ticket.assignee == teammate
    assert not QueueEntry.objects.exists()
    assert not ticket.events.filter(kind=EventKind.ROUTING_ASSIGNED).exists()


def test_chats_wait_for_chat_room_while_mail_still_flows(team_a: Team, agent: User) -> None:
    routes(team_a)
    online(agent, chats=1, others=5)
    chats = _waiting(team_a, 2, channel=Channel.CHAT)
    (mail_ticket,) = _waiting(team_a, 1, channel=Channel.EMAIL)

    assert [t.assignee for t in chats] == [agent, None]
    assert mail_ticket.assignee == agent


def test_a_fitting_conversation_behind_many_that_do_not_fit_is_found(
    team_a: Team, agent: User, monkeypatch: Any
) -> None:
    monkeypatch.setattr(routing_services, "HAND_OUT_BATCH", 2)
    routes(team_a)
    english = factories.make_customer(language="en")
    _waiting(team_a, 5, customer=english)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        indonesian = factories.make_ticket(team=team_a)

    online(agent, languages="id")

    indonesian.refresh_from_db()
    assert indonesian.assignee == agent
    assert QueueEntry.objects.count() == 5


def test_a_night_of_waiting_conversations_mails_the_supervisors_once_per_half_hour(
    team_a: Team, agent: User, supervisor: User
) -> None:
    routes(team_a)
    first, second, third = _waiting(team_a, 3)  # three minutes, one mail
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        run_due_jobs()
    assert len(mail.outbox) == 1
    assert (
        mail.outbox[0].subject
        == f"3 conversations waiting in the {team_a.name} queue: nobody is free"
    )
    assert all(t.reference in mail.outbox[0].body for t in (first, second, third))

    with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
        fourth = factories.make_ticket(team=team_a)
        run_due_jobs()

    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("4 conversations waiting")
    assert fourth.reference in mail.outbox[1].body
    assert ticket_events_queued(first, second, third, fourth) == [1, 1, 1, 1]


def ticket_events_queued(*tickets: Ticket) -> list[int]:
    return [t.events.filter(kind=EventKind.ROUTING_QUEUED).count() for t in tickets]


def test_an_alert_queued_before_the_upgrade_still_reaches_the_supervisors(
    team_a: Team, agent: User, supervisor: User
) -> None:
    routes(team_a)
    ticket = factories.make_ticket(team=team_a)
    Job.objects.filter(kind="routing_queue_alert").update(payload={"ticket": ticket.pk})

    run_due_jobs()

    assert [alert.subject for alert in mail.outbox] == [
        f"[{ticket.reference}] Waiting in the {team_a.name} queue: nobody is free"
    ]
