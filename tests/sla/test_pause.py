"""Waiting on the customer stops the clocks; their answer starts them again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from sigap.accounts.models import Team, User
from sigap.sla.firing import sla_fire_due
from sigap.sla.models import Timer, TimerKind, TimerState
from sigap.tickets.models import Channel, Status
from sigap.tickets.services import ticket_change_status, ticket_receive, ticket_reply
from tests import factories

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def test_paused_time_is_recorded_and_excluded(team_a: Team, agent: User) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = factories.make_ticket(team=team_a, channel=Channel.EMAIL)
    resolution = Timer.objects.get(ticket=ticket, kind=TimerKind.RESOLUTION)
    assert resolution.due_at == T0 + timedelta(days=3)

    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ticket_reply(
            ticket=ticket,
            by=agent,
            body="Mohon kirim foto barangnya.",
            status=Status.PENDING_CUSTOMER,
        )
    resolution.refresh_from_db()
    assert resolution.state == TimerState.PAUSED
    assert resolution.fire_at is None

    # Nothing fires while paused, however long the customer takes.
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        assert sla_fire_due() == 0
        ticket_receive(ticket=ticket, customer=ticket.customer, body="Ini fotonya.")

    resolution.refresh_from_db()
    paused = timedelta(days=5) - timedelta(hours=1)
    assert resolution.state == TimerState.RUNNING
    assert resolution.paused_seconds == paused.total_seconds()
    assert resolution.pause_count == 1
    assert resolution.due_at == T0 + timedelta(days=3) + paused
    assert ticket.status == Status.OPEN


def test_the_warning_is_kept_in_proportion_after_a_pause(team_a: Team, agent: User) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = factories.make_ticket(team=team_a, channel=Channel.EMAIL)
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        ticket_change_status(ticket=ticket, by=agent, status=Status.PENDING_CUSTOMER)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        ticket_change_status(ticket=ticket, by=agent, status=Status.OPEN)

    first = Timer.objects.get(ticket=ticket, kind=TimerKind.FIRST_RESPONSE)
    resumed = T0 + timedelta(hours=2)
    assert first.due_at == resumed + timedelta(minutes=30)
    # 80 % of the hour is at minute 48: 18 of the remaining 30 minutes after the resume.
    assert first.warn_at == resumed + timedelta(minutes=18)
    assert first.fire_at == first.warn_at
