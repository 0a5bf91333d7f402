"""Two bulk changes over the same tickets at the same moment on PostgreSQL, one given them in
the opposite order: both finish (the tickets are locked in one order, so neither deadlocks),
and every ticket ends up with both changes, each written once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sigap.accounts.models import Team, User
from sigap.tickets.bulk import BulkResult, Outcome, tickets_bulk_assign, tickets_bulk_change_status
from sigap.tickets.models import Status, Ticket
from tests.factories import make_ticket
from tests.together import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _together(*calls: Callable[[], list[BulkResult]]) -> tuple[list[BaseException], list[Outcome]]:
    results, failures = at_once(list(calls))
    return failures, [result.outcome for batch in results for result in batch]


def test_two_batches_over_the_same_tickets_in_opposite_orders_both_finish(
    team_a: Team, agent: User, teammate: User
) -> None:
    ids = [make_ticket(team=team_a).pk for _ in range(30)]

    failures, outcomes = _together(
        lambda: tickets_bulk_change_status(by=agent, ticket_ids=ids, status="resolved"),
        lambda: tickets_bulk_assign(by=teammate, ticket_ids=ids[::-1], assignee=teammate),
    )

    assert failures == []
    assert outcomes == [Outcome.DONE] * 60
    for ticket in Ticket.objects.filter(pk__in=ids):
        assert (ticket.status, ticket.assignee_id) == (Status.RESOLVED, teammate.pk)
        assert ticket.events.filter(kind="status_changed").count() == 1
        assert ticket.events.filter(kind="assignee_changed").count() == 1
