"""Properties of step deadlines counted in business time, over random calendars and SOPs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sigap.sla.calendar import BusinessCalendar, Period, business_seconds_between
from sigap.sops.engine import BusinessHours, Facts, StepRecord, evaluate
from sigap.sops.loading import parse_document

START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    week = []
    for _day in range(7):
        periods = []
        minute = 0
        for _period in range(draw(st.integers(0, 2))):
            start = minute + draw(st.integers(0, 300))
            end = start + draw(st.integers(30, 480))
            if end > 1440:
                break
            periods.append(Period(start, end))
            minute = end
        week.append(tuple(periods))
    if not any(week):
        week[0] = (Period(480, 1020),)
    holidays = draw(st.frozensets(st.dates(START.date(), START.date() + timedelta(days=20))))
    zone = draw(st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "Europe/Amsterdam", "UTC"]))
    return BusinessCalendar(time_zone=zone, week=tuple(week), holidays=holidays)


@settings(max_examples=200, deadline=None)
@given(
    calendar=calendars(),
    hours=st.lists(st.integers(1, 30), min_size=2, max_size=4),
    business=st.lists(st.booleans(), min_size=4, max_size=4),
    late=st.integers(0, 5000),
)
def test_business_deadlines_follow_their_anchor_by_exactly_the_open_time_asked(
    calendar: BusinessCalendar, hours: list[int], business: list[bool], late: int
) -> None:
    steps = [
        {
            "id": f"s{i}",
            "kind": "action",
            "title": f"Step {i}",
            "after": [f"s{i - 1}"] if i else [],
            "deadline": {
                "within": f"{within}h",
                "from": f"step:s{i - 1}" if i else "start",
                "business_time": business[i],
            },
        }
        for i, within in enumerate(hours)
    ]
    document = parse_document({"key": "chain", "title": "C", "purpose": "P", "steps": steps})
    ended = START + timedelta(minutes=late)
    facts = Facts(started_at=START, steps={"s0": StepRecord(completed_at=ended)})

    run = evaluate(document, facts, ended, BusinessHours(calendar))

    for i, view in enumerate(run.steps[:2]):
        anchor = START if i == 0 else ended
        within = timedelta(hours=hours[i])
        assert view.deadline is not None
        assert view.warn_at is not None
        assert anchor < view.warn_at < view.deadline
        if business[i]:
            assert business_seconds_between(calendar, anchor, view.deadline) == (
                within.total_seconds()
            )
        else:
            assert view.deadline == anchor + within
