"""Follow-ups under real concurrency on PostgreSQL: several executors at once, each due
follow-up fired exactly once (row locks with SKIP LOCKED)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection

from sigap.accounts.models import Team, User
from sigap.feedback.followups import follow_ups_fire_due
from sigap.feedback.models import FollowUp, FollowUpState
from sigap.tickets.models import TicketEvent
from tests.feedback.conftest import RESOLVED_AT, resolved_ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_four_executors_fire_each_follow_up_once(team_a: Team, agent: User) -> None:
    tickets = [resolved_ticket(team_a, agent).pk for _ in range(40)]
    due = RESOLVED_AT + timedelta(days=2)
    fired: list[int] = []
    errors: list[BaseException] = []

    def executor() -> None:
        try:
            while True:
                count = follow_ups_fire_due(now=due, limit=3)
                if count == 0:
                    return
                fired.append(count)
        except BaseException as error:  # reported by the assertions below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=executor) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(fired) == 40
    events = Counter(
        TicketEvent.objects.filter(kind="follow_up_due").values_list("ticket_id", flat=True)
    )
    assert events == Counter(dict.fromkeys(tickets, 1))
    assert set(FollowUp.objects.values_list("state", flat=True)) == {FollowUpState.DUE}
