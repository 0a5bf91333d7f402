"""Every KPI of a hand-computed October (tests/metrics/desk.py), and its edge cases."""

from __future__ import annotations

import pytest
import time_machine

from sigap.accounts.models import Team, User
from sigap.customers.services import customer_merge
from sigap.metrics.kpis import kpis_compute
from sigap.metrics.periods import period_parse
from sigap.metrics.refresh import facts_catch_up
from sigap.metrics.slices import Slice
from tests import factories
from tests.metrics.desk import READ_AT, at, october_desk

pytestmark = pytest.mark.django_db


def _read(s: Slice) -> dict[str, object]:
    with time_machine.travel(READ_AT, tick=False):
        return kpis_compute(s).values


def test_october_as_computed_by_hand(
    team_a: Team, team_b: Team, agent: User, other_agent: User
) -> None:
    october_desk(team_a, team_b, agent, other_agent)

    values = _read(Slice(period=period_parse("2026-10")))

    assert values == {
        "tickets_opened": 4,
        # T1 3600 s, T2 7200 s, T3 1800 s; T6 never answered is not averaged as 0.
        "first_response_time": 4200.0,
        # Replies: T1 3600, T2 7200 and 3600, T3 1800.
        "average_response_time": 4050.0,
        # First resolved in October: T1 18 000 s, T2 14 400 s (24 h waiting left out).
        "resolution_time": 16200.0,
        # Team A has no business calendar: served around the clock.
        "resolution_business_time": 16200.0,
        "first_contact_resolution": 50.0,
        "reopen_rate": 50.0,
        "csat": 50.0,
        "nps": 0.0,
        # Wati and Joko wrote in September; Wati came back in October.
        "retention": 50.0,
        # Timers of October's tickets: none breached, since the executor never fired.
        "sla_compliance": 100.0,
        "sop_step_compliance": None,
        "exceptions": 0,
        "escalations": 0,
        # T3 (resolved 2 November) and T6 (never resolved) were open when October ended.
        "backlog": 2,
    }


def test_what_each_number_was_counted_over(
    team_a: Team, team_b: Team, agent: User, other_agent: User
) -> None:
    october_desk(team_a, team_b, agent, other_agent)

    with time_machine.travel(READ_AT, tick=False):
        bases = kpis_compute(Slice(period=period_parse("2026-10"))).bases

    assert bases["first_response_time"] == 3
    assert bases["average_response_time"] == 4
    assert bases["resolution_time"] == 2
    # The survey sent to T6 and never answered is not an answer.
    assert bases["csat"] == 2
    assert bases["nps"] == 2
    assert bases["retention"] == 2


def test_a_ticket_spanning_two_months_is_opened_in_one_and_resolved_in_the_other(
    team_a: Team, team_b: Team, agent: User, other_agent: User
) -> None:
    october_desk(team_a, team_b, agent, other_agent)

    november = _read(Slice(period=period_parse("2026-11")))

    # T3: 31 Oct 20:00 → 2 Nov 09:00 is 37 h, with no waiting on the customer.
    assert november["tickets_opened"] == 0
    assert november["resolution_time"] == 37 * 3600.0
    assert november["reopen_rate"] == 0.0
    # T3's one contact and no reopening, but it was resolved on 2 November: by 20 November the
    # 7 days have passed, so it counts.
    assert november["first_contact_resolution"] == 100.0
    # The NPS answer for T3 was given in November: a passive (8).
    assert november["nps"] == 0.0
    assert november["csat"] is None
    # Only T6 is still open.
    assert november["backlog"] == 1


def test_first_contact_resolution_waits_seven_days_before_counting(
    team_a: Team, team_b: Team, agent: User, other_agent: User
) -> None:
    october_desk(team_a, team_b, agent, other_agent)
    s = Slice(period=period_parse("2026-11"))

    with time_machine.travel(READ_AT.replace(month=11, day=8), tick=False):
        early = kpis_compute(s)

    # On 8 November T3's resolution is 6 days old: not decided yet, so no number.
    assert early.values["first_contact_resolution"] is None
    assert early.bases["first_contact_resolution"] == 0


def test_a_week_holds_only_its_own_days(
    team_a: Team, team_b: Team, agent: User, other_agent: User
) -> None:
    october_desk(team_a, team_b, agent, other_agent)

    week = _read(Slice(period=period_parse("2026-W41")))  # 5 to 11 October

    assert week["tickets_opened"] == 3
    assert week["first_response_time"] == 5400.0  # T1 3600, T2 7200; T6 unanswered


def test_slices_by_team_agent_and_channel(
    team_a: Team, team_b: Team, agent: User, other_agent: User
) -> None:
    desk = october_desk(team_a, team_b, agent, other_agent)
    october = period_parse("2026-10")

    by_agent = _read(Slice(period=october, agent_id=agent.pk))
    chat = _read(Slice(period=october, channel="chat"))
    team_b_september = _read(Slice(period=period_parse("2026-09"), team_ids=(team_b.pk,)))

    assert desk.t1.assignee_id == agent.pk
    assert by_agent["first_contact_resolution"] == 50.0
    assert by_agent["reopen_rate"] == 50.0
    assert chat["tickets_opened"] == 1
    assert chat["first_response_time"] == 1800.0
    assert chat["resolution_time"] is None
    assert chat["nps"] is None  # T3's answer came in November
    # Team B's September customers (Wati, Joko) wrote to team A in October, not to team B.
    assert _read(Slice(period=october, team_ids=(team_b.pk,)))["retention"] == 0.0
    assert team_b_september["tickets_opened"] == 2
    assert team_b_september["first_contact_resolution"] == 100.0


def test_a_slice_with_no_data_is_an_honest_empty_state(
    team_a: Team, team_b: Team, agent: User, other_agent: User
) -> None:
    october_desk(team_a, team_b, agent, other_agent)

    with time_machine.travel(READ_AT, tick=False):
        report = kpis_compute(Slice(period=period_parse("2026-10"), channel="social"))

    assert report.is_empty
    averages_and_rates = {k: v for k, v in report.values.items() if k not in _COUNTS}
    assert set(averages_and_rates.values()) == {None}
    assert {k: report.values[k] for k in _COUNTS} == {
        "tickets_opened": 0,
        "exceptions": 0,
        "escalations": 0,
        "backlog": 0,
    }


_COUNTS = {"tickets_opened", "exceptions", "escalations", "backlog"}


def test_a_customer_merged_into_another_counts_as_returning(
    team_a: Team, agent: User, supervisor: User
) -> None:
    september = factories.make_customer("Wati (lama)")
    october = factories.make_customer("Wati")
    with time_machine.travel(at(9, 10, 9), tick=False):
        factories.make_ticket(team=team_a, customer=september)
    with time_machine.travel(at(10, 10, 9), tick=False):
        factories.make_ticket(team=team_a, customer=october)
    _catch_up()
    before = _read(Slice(period=period_parse("2026-10")))["retention"]

    # The September record turns out to be the same person: it is folded into October's.
    with time_machine.travel(at(10, 11, 9), tick=False):
        customer_merge(by=supervisor, source=september, target=october)
    _catch_up()

    assert before == 0.0
    assert _read(Slice(period=period_parse("2026-10")))["retention"] == 100.0


def _catch_up() -> None:
    with time_machine.travel(READ_AT, tick=False):
        while facts_catch_up():
            pass
