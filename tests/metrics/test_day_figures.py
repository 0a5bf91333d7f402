"""The day figures agree with the facts they sum, however the tickets change."""

from __future__ import annotations

from dataclasses import replace

import pytest
import time_machine

from sigap.accounts.models import Team, User
from sigap.metrics.kpis import kpis_compute
from sigap.metrics.models import DayFigures
from sigap.metrics.periods import period_parse
from sigap.metrics.refresh import facts_catch_up, facts_rebuild
from sigap.metrics.slices import Slice
from sigap.tickets.models import Channel, Status, Ticket
from tests import factories
from tests.metrics.desk import READ_AT, at, receive, reply, status_change

pytestmark = pytest.mark.django_db


def _everything_assigned_to(agent: User, team: Team) -> None:
    for day, channel in ((3, Channel.EMAIL), (12, Channel.CHAT), (29, Channel.EMAIL)):
        with time_machine.travel(at(10, day, 9), tick=False):
            ticket = factories.make_ticket(team=team, channel=channel, assignee=agent)
        reply(ticket, agent, at(10, day, 10))
        if day != 29:
            status_change(ticket, agent, at(10, day + 1, 9), Status.RESOLVED)
    # The first one is reopened two weeks later and resolved again in November.
    first = Ticket.objects.order_by("pk").first()
    assert first is not None
    receive(first, at(10, 18, 9))
    status_change(first, agent, at(11, 2, 9), Status.RESOLVED)


def _read(s: Slice) -> dict[str, object]:
    with time_machine.travel(READ_AT, tick=False):
        return kpis_compute(s).values


def test_the_day_figures_and_the_facts_give_the_same_numbers(team_a: Team, agent: User) -> None:
    _everything_assigned_to(agent, team_a)
    with time_machine.travel(READ_AT, tick=False):
        while facts_catch_up():
            pass

    for period in ("2026-10", "2026-W42", "2026-11"):
        whole = Slice(period=period_parse(period))
        # One agent's slice is counted from the facts; the whole desk from the day figures.
        by_agent = replace(whole, agent_id=agent.pk)
        assert _read(whole) == _read(by_agent), period
    assert _read(Slice(period=period_parse("2026-10")))["backlog"] == 2


def test_a_rebuild_gives_the_same_day_figures_as_the_executor(team_a: Team, agent: User) -> None:
    _everything_assigned_to(agent, team_a)
    with time_machine.travel(READ_AT, tick=False):
        while facts_catch_up():
            pass
    kept = sorted(DayFigures.objects.values_list("day", "tickets", "resolved", "closed"))

    with time_machine.travel(READ_AT, tick=False):
        facts_rebuild()

    assert sorted(DayFigures.objects.values_list("day", "tickets", "resolved", "closed")) == kept
    # Opened on 3, 12 and 29 October; first resolved on 4 and 13 October; the 3 October ticket
    # was reopened, so its standing resolution is on 2 November.
    assert [(day.isoformat(), *counts) for day, *counts in kept] == [
        ("2026-10-03", 1, 0, 0),
        ("2026-10-04", 0, 1, 0),
        ("2026-10-12", 1, 0, 0),
        ("2026-10-13", 0, 1, 1),
        ("2026-10-29", 1, 0, 0),
        ("2026-11-02", 0, 0, 1),
    ]
