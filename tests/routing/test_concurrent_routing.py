"""Many conversations opened at the same moment by different workers on PostgreSQL: the row
lock on each agent's routing row keeps every agent within capacity, and each conversation is
either assigned or waiting, never both, never lost."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from sigap.accounts.models import Role, Team, User
from sigap.customers.models import Customer
from sigap.routing.models import AgentPresence, Presence, QueueEntry, Strategy
from sigap.routing.services import queue_hand_out
from sigap.tickets.models import Channel, Ticket
from tests import factories
from tests.routing.helpers import online, routes
from tests.together import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 12


def _open_all_at_once(team: Team, customers: list[Customer]) -> list[BaseException]:
    def open_one(customer: Customer) -> Callable[[], Ticket]:
        return lambda: factories.make_ticket(team=team, customer=customer, channel=Channel.CHAT)

    return at_once([open_one(c) for c in customers], seconds=60)[1]


@pytest.mark.parametrize("strategy", [Strategy.ROUND_ROBIN, Strategy.LEAST_LOADED])
def test_simultaneous_conversations_never_push_an_agent_over_capacity(
    team_a: Team, strategy: Strategy
) -> None:
    routes(team_a, strategy)
    agents = [
        factories.make_user(f"agen{n}", Role.AGENT, [team_a], first_name=f"Agen {n}")
        for n in range(2)
    ]
    for person in agents:
        online(person, chats=3)
    customers = [factories.make_customer() for _ in range(WORKERS)]

    failures = _open_all_at_once(team_a, customers)

    assert failures == []
    tickets = list(Ticket.objects.all())
    assert len(tickets) == WORKERS
    loads = Counter(t.assignee_id for t in tickets if t.assignee_id is not None)
    assert loads == {agents[0].pk: 3, agents[1].pk: 3}
    waiting = set(QueueEntry.objects.values_list("ticket_id", flat=True))
    assert waiting == {t.pk for t in tickets if t.assignee_id is None}
    assert len(waiting) == WORKERS - 6


def test_two_executors_hand_out_each_waiting_conversation_once(team_a: Team) -> None:
    routes(team_a)
    for _ in range(WORKERS):
        factories.make_ticket(team=team_a, channel=Channel.CHAT)
    agents: list[User] = [
        factories.make_user(f"agen{n}", Role.AGENT, [team_a], first_name=f"Agen {n}")
        for n in range(2)
    ]
    for person in agents:
        online(person, chats=4)  # each takes four at once on coming online
    # Free more room without a freeing event, so only the executors can hand the rest out.
    AgentPresence.objects.update(chat_capacity=5)
    assert AgentPresence.objects.filter(status=Presence.ONLINE).count() == 2

    given, failures = at_once([queue_hand_out, queue_hand_out], seconds=60)

    assert failures == []
    assert sum(given) == 2
    loads = Counter(Ticket.objects.exclude(assignee=None).values_list("assignee_id", flat=True))
    assert loads == {agents[0].pk: 5, agents[1].pk: 5}
    assert QueueEntry.objects.count() == WORKERS - 10
