"""The demo plan: the same seed gives the same desk, whatever the hour it is loaded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from sigap.core import clock
from sigap.demo.plan import demo_plan
from sigap.tickets.models import Channel, Status, Ticket

MONDAY_MIDNIGHT_JAKARTA = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)


def test_same_seed_same_desk_other_seed_other_desk() -> None:
    first = demo_plan(seed=17, tickets=80, customers=120, now=MONDAY_MIDNIGHT_JAKARTA)
    again = demo_plan(seed=17, tickets=80, customers=120, now=MONDAY_MIDNIGHT_JAKARTA)
    other = demo_plan(seed=18, tickets=80, customers=120, now=MONDAY_MIDNIGHT_JAKARTA)

    assert first == again
    assert [t.subject for t in first.tickets] != [t.subject for t in other.tickets]


@pytest.mark.parametrize("hours_later", range(0, 7 * 24, 5))
def test_a_default_desk_shows_every_status_and_channel_at_any_hour_of_the_week(
    hours_later: int,
) -> None:
    now = MONDAY_MIDNIGHT_JAKARTA + timedelta(hours=hours_later)

    plan = demo_plan(seed=17, tickets=300, customers=120, now=now)

    assert {t.status for t in plan.tickets} == set(Status.values)
    assert {t.channel for t in plan.tickets} == set(Channel.values)
    assert all(step.at < now for t in plan.tickets for step in t.steps)


@pytest.mark.django_db
def test_the_services_leave_each_ticket_where_the_plan_says() -> None:
    now = MONDAY_MIDNIGHT_JAKARTA + timedelta(days=2, hours=3)
    plan = demo_plan(seed=17, tickets=120, customers=120, now=now)

    with clock.frozen(now):
        call_command("demo", tickets=120, stdout=StringIO(), stderr=StringIO())

    loaded = list(Ticket.objects.order_by("pk").values_list("subject", "status", "channel"))
    assert loaded == [(t.subject, t.status, t.channel) for t in plan.tickets]
