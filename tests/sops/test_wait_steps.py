"""A wait step ends by itself when its time comes, and the run moves on: "follow up one to
three days after the problem is solved"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from sigap.accounts.models import Team, User
from sigap.core.jobs import run_due_jobs
from sigap.sops.firing import sop_fire_due
from sigap.sops.models import StepState, StepStatus
from sigap.sops.services import current_run, sop_import, sop_publish, sop_step_complete
from sigap.tickets.events import EventKind
from sigap.tickets.models import Status, Ticket
from sigap.tickets.services import ticket_change_status, ticket_receive
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
RESOLVED = T0 + timedelta(hours=2)
FOLLOW_UP = """
key: order-status
title: Order status question
purpose: Answer, then check a day later that the parcel really arrived.
triggers: {keywords: {id: [paket], en: [parcel]}}
steps:
  - id: answer
    kind: action
    title: Tell the customer where the parcel is
  - id: pause
    kind: wait
    title: Give the courier a day
    deadline: {within: 1d, from: resolution}
  - id: follow-up
    kind: message
    title: Ask whether the parcel arrived
    after: [pause]
    deadline: {within: 2d, from: "step:pause"}
    template: "Halo {customer_name}, apakah paket Anda sudah sampai?"
"""


@pytest.fixture
def order_status(db: None) -> None:
    sop_publish(version=sop_import(text=FOLLOW_UP, by=None), by=None, notes="First version")


def _state(ticket: Ticket, step_id: str) -> StepState:
    run = current_run(ticket)
    assert run is not None
    return run.steps.get(step_id=step_id)


def _resolved(team: Team, agent: User) -> Ticket:
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(team=team, subject="Paket belum sampai", body="Di mana paket saya?")
    with time_machine.travel(RESOLVED, tick=False):
        sop_step_complete(ticket=ticket, step_id="answer", by=agent)
        ticket_change_status(ticket=ticket, by=agent, status=Status.RESOLVED)
    return ticket


def test_the_wait_ends_by_itself_a_day_after_resolution_and_the_follow_up_opens(
    order_status: None, team_a: Team, agent: User
) -> None:
    ticket = _resolved(team_a, agent)
    assert _state(ticket, "pause").deadline_at == RESOLVED + timedelta(days=1)

    assert sop_fire_due(now=RESOLVED + timedelta(hours=23)) == 0
    # The executor was down for a while: the wait still ends at its own time.
    with time_machine.travel(RESOLVED + timedelta(days=1, hours=3), tick=False):
        run_due_jobs()

    pause = _state(ticket, "pause")
    assert pause.status == StepStatus.DONE
    assert pause.completed_at == RESOLVED + timedelta(days=1)
    assert pause.completed_by is None
    follow_up = _state(ticket, "follow-up")
    assert follow_up.status == StepStatus.OPEN
    assert follow_up.deadline_at == RESOLVED + timedelta(days=3)
    [event] = ticket.events.filter(kind=EventKind.SOP_STEP_COMPLETED, data__step="pause")
    assert event.actor_user is None
    assert event.created_at == RESOLVED + timedelta(days=1, hours=3)
    # Nobody is warned about a wait: there is nothing for anyone to do.
    assert not ticket.events.filter(kind=EventKind.SOP_STEP_WARNED, data__step="pause").exists()


def test_the_wait_ends_once_only(order_status: None, team_a: Team, agent: User) -> None:
    ticket = _resolved(team_a, agent)
    later = RESOLVED + timedelta(days=1, minutes=1)

    assert sop_fire_due(now=later) == 1
    assert sop_fire_due(now=later) == 0

    assert ticket.events.filter(kind=EventKind.SOP_STEP_COMPLETED, data__step="pause").count() == 1


def test_a_customer_writing_again_before_the_wait_is_over_stops_the_wait(
    order_status: None, team_a: Team, agent: User
) -> None:
    ticket = _resolved(team_a, agent)
    with time_machine.travel(RESOLVED + timedelta(hours=5), tick=False):
        ticket_receive(ticket=ticket, customer=ticket.customer, body="Belum sampai juga.")

    assert sop_fire_due(now=RESOLVED + timedelta(days=2)) == 0
    assert _state(ticket, "pause").status == StepStatus.OPEN
    assert _state(ticket, "pause").deadline_at is None
