"""A step whose deadline is in business time counts only the team's open hours: no lunch
break, no weekend, no holiday. Without a team calendar it counts around the clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sigap.accounts.models import Team, User
from sigap.sla.calendar_document import calendar_from_document
from sigap.sla.configuration import calendar_source_parse, sla_calendar_save, sla_team_calendar_set
from sigap.sops.engine import BusinessHours, Facts, evaluate
from sigap.sops.loading import load_document
from sigap.sops.services import current_run, sop_import, sop_publish, sop_step_complete
from sigap.tickets.models import Ticket
from sigap.tickets.services import ticket_change_team
from tests.factories import make_ticket

JAKARTA = ZoneInfo("Asia/Jakarta")
OFFICE = """
key: office
name: Office hours
time_zone: Asia/Jakarta
hours:
  monday: ["08:00-12:00", "13:00-17:00"]
  tuesday: ["08:00-12:00", "13:00-17:00"]
  wednesday: ["08:00-12:00", "13:00-17:00"]
  thursday: ["08:00-12:00", "13:00-17:00"]
  friday: ["08:00-12:00", "13:00-17:00"]
  saturday: ["08:00-12:00"]
holidays:
  - {date: 2026-12-25, name: Hari Raya Natal}
"""
CALLBACK = """
key: callback
title: Call the customer back
purpose: A customer who asked to be called is called within two office hours.
triggers: {keywords: {id: [telepon], en: [call]}}
steps:
  - id: call
    kind: action
    title: Call the customer
    deadline: {within: 2h, business_time: true}
  - id: note
    kind: action
    title: Write down what was agreed
    deadline: {within: 2h}
"""


def _wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)


CASES = [
    # Monday 11:00: one hour before lunch, one after it.
    pytest.param(_wib(2026, 11, 23, 11), _wib(2026, 11, 23, 14), id="lunch-break"),
    # Saturday 11:00: one hour before closing, Sunday closed, one hour on Monday.
    pytest.param(_wib(2026, 11, 28, 11), _wib(2026, 11, 30, 9), id="weekend"),
    # Thursday 16:30: half an hour, Christmas Friday closed, 90 minutes on Saturday.
    pytest.param(_wib(2026, 12, 24, 16, 30), _wib(2026, 12, 26, 9, 30), id="holiday"),
    # Sunday evening: nothing counts until Monday 08:00.
    pytest.param(_wib(2026, 11, 29, 20), _wib(2026, 11, 30, 10), id="closed-at-start"),
]


@pytest.mark.parametrize(("start", "due"), CASES)
def test_the_engine_counts_only_open_hours_for_a_business_time_step(
    start: datetime, due: datetime
) -> None:
    hours = BusinessHours(calendar_from_document(calendar_source_parse(OFFICE)))

    run = evaluate(load_document(CALLBACK), Facts(started_at=start), start, hours)

    assert run.get("call").deadline == due
    assert run.get("note").deadline == start + timedelta(hours=2)


@pytest.fixture
def callback(db: None) -> None:
    sop_publish(version=sop_import(text=CALLBACK, by=None), by=None, notes="First version")


def _deadlines(ticket: Ticket) -> dict[str, datetime | None]:
    run = current_run(ticket)
    assert run is not None
    return {s.step_id: s.deadline_at for s in run.steps.all()}


@pytest.mark.parametrize(("start", "due"), CASES)
def test_a_ticket_of_a_team_with_office_hours_gets_business_time_step_deadlines(
    callback: None, team_a: Team, start: datetime, due: datetime
) -> None:
    sla_team_calendar_set(team=team_a, calendar=sla_calendar_save(source=OFFICE, by=None), by=None)

    with time_machine.travel(start, tick=False):
        ticket = make_ticket(team=team_a, subject="Mohon telepon saya", body="Tolong telepon")

    assert _deadlines(ticket) == {"call": due, "note": start + timedelta(hours=2)}


def test_a_team_without_a_calendar_counts_business_time_around_the_clock(
    callback: None, team_a: Team
) -> None:
    start = _wib(2026, 11, 28, 11)
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(team=team_a, subject="Mohon telepon saya", body="Tolong telepon")

    assert _deadlines(ticket) == {
        "call": start + timedelta(hours=2),
        "note": start + timedelta(hours=2),
    }


def test_moving_tickets_to_a_team_with_office_hours_moves_open_steps_not_ended_ones(
    callback: None, team_a: Team, team_b: Team, manager: User
) -> None:
    sla_team_calendar_set(team=team_b, calendar=sla_calendar_save(source=OFFICE, by=None), by=None)
    saturday = _wib(2026, 11, 28, 11)
    with time_machine.travel(saturday, tick=False):
        called = make_ticket(team=team_a, subject="Mohon telepon saya", body="Tolong telepon")
        waiting = make_ticket(team=team_a, subject="Mohon telepon saya", body="Tolong telepon")
        sop_step_complete(ticket=called, step_id="call", by=manager)

    with time_machine.travel(saturday + timedelta(minutes=10), tick=False):
        ticket_change_team(ticket=called, by=manager, team=team_b)
        ticket_change_team(ticket=waiting, by=manager, team=team_b)

    # Whether the call was late is history: its deadline stays where it was.
    assert _deadlines(called)["call"] == saturday + timedelta(hours=2)
    # Still counted from the ticket's start, now in the new team's office hours: an hour on
    # Saturday morning, Sunday closed, an hour on Monday.
    assert _deadlines(waiting)["call"] == _wib(2026, 11, 30, 9)
