from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sigap.accounts.models import User
from sigap.tickets.models import Ticket
from sigap.tickets.services import ticket_add_note, ticket_change_priority, ticket_reply


def _more_history(ticket: Ticket, agent: User, rounds: int) -> None:
    for number in range(rounds):
        ticket_reply(ticket=ticket, by=agent, body=f"Balasan {number}")
        ticket_add_note(ticket=ticket, by=agent, body=f"Catatan {number}")
        ticket_change_priority(ticket=ticket, by=agent, priority="high" if number % 2 else "low")


def test_a_long_timeline_costs_no_more_queries_than_a_short_one(
    client: Client,
    agent: User,
    ticket: Ticket,
    django_assert_max_num_queries: Callable[[int], AbstractContextManager[Any]],
) -> None:
    client.force_login(agent)
    _more_history(ticket, agent, 1)
    with CaptureQueriesContext(connection) as short:
        assert client.get(f"/tickets/{ticket.pk}/").status_code == 200

    _more_history(ticket, agent, 20)

    with django_assert_max_num_queries(len(short)):
        response = client.get(f"/tickets/{ticket.pk}/")
    assert response.content.decode().count('class="entry entry-note"') == 21
