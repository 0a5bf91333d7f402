"""Finding due follow-ups reads the partial index on check_at, never the whole table."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection

from sigap.accounts.models import Team, User
from sigap.feedback.followups import due_follow_ups
from tests.feedback.conftest import RESOLVED_AT, resolved_ticket


def test_the_due_scan_uses_the_check_index(team_a: Team, agent: User) -> None:
    for _ in range(3):
        resolved_ticket(team_a, agent)
    sql, params = due_follow_ups(RESOLVED_AT + timedelta(days=2))[:100].query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[3]) for row in cursor.fetchall())
        else:
            # A three-row table is read whole by choice; forbid that to see the index serve it.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(str(row[0]) for row in cursor.fetchall())
    assert "follow_up_check_idx" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort: the index gives the order
