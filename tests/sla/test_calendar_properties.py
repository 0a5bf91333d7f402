"""Properties of business-time arithmetic over random calendars, zones and start instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sigap.sla.calendar import (
    BusinessCalendar,
    Period,
    add_business_time,
    business_seconds_between,
    is_open,
    next_opening,
)
from sigap.sla.calendar_document import (
    calendar_from_document,
    calendar_parse,
    calendar_to_document,
)

ZONES = ("Asia/Jakarta", "Europe/Berlin", "America/New_York", "Australia/Sydney")
# Clock changes in 2026 and 2027 of the zones above, so that starts often land near one.
CLOCK_CHANGES = tuple(
    datetime.fromisoformat(text)
    for text in (
        "2026-03-08T07:00+00:00",
        "2026-11-01T06:00+00:00",
        "2026-03-29T01:00+00:00",
        "2026-10-25T01:00+00:00",
        "2026-04-04T16:00+00:00",
        "2026-10-03T16:00+00:00",
        "2027-03-14T07:00+00:00",
        "2027-03-28T01:00+00:00",
    )
)
FAST = settings(max_examples=200, deadline=None)
ONE_MICROSECOND = timedelta(microseconds=1)


@st.composite
def days(draw: st.DrawFn) -> tuple[Period, ...]:
    # Boundaries on a five-minute grid, so that some fall exactly on clock changes.
    count = draw(st.integers(min_value=0, max_value=3))
    boundaries = draw(
        st.lists(
            st.integers(min_value=0, max_value=288),
            min_size=2 * count,
            max_size=2 * count,
            unique=True,
        )
    )
    boundaries = sorted(b * 5 for b in boundaries)
    return tuple(Period(a, b) for a, b in zip(boundaries[::2], boundaries[1::2], strict=True))


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    week = tuple(draw(days()) for _ in range(7))
    assume(any(week))
    holidays = draw(st.frozensets(st.dates(date(2025, 12, 1), date(2028, 3, 1)), max_size=10))
    return BusinessCalendar(draw(st.sampled_from(ZONES)), week, holidays)


starts = st.one_of(
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
    st.builds(
        lambda change, shift: change + timedelta(seconds=shift),
        st.sampled_from(CLOCK_CHANGES),
        st.integers(min_value=-3 * 86400, max_value=3 * 86400),
    ),
)


def _weekly_open_seconds(calendar: BusinessCalendar) -> int:
    return sum((p.end_minute - p.start_minute) * 60 for day in calendar.week for p in day)


def _amount(data: st.DataObject, calendar: BusinessCalendar) -> float:
    """Up to about ten weeks of this calendar's open time, in whole milliseconds."""
    most = min(30 * 86400, 10 * _weekly_open_seconds(calendar))
    return data.draw(st.integers(min_value=0, max_value=most * 1000)) / 1000


@FAST
@given(calendar=calendars(), start=starts, data=st.data())
def test_business_time_added_is_business_time_between(
    calendar: BusinessCalendar, start: datetime, data: st.DataObject
) -> None:
    most = min(30 * 86400, 10 * _weekly_open_seconds(calendar))
    seconds = data.draw(st.floats(min_value=0, max_value=most))

    due = add_business_time(calendar, start, seconds)

    assert abs(business_seconds_between(calendar, start, due) - seconds) <= 1e-6
    assert due >= start
    assert due.tzinfo is UTC


@FAST
@given(calendar=calendars(), start=starts, data=st.data())
def test_more_time_never_falls_due_earlier(
    calendar: BusinessCalendar, start: datetime, data: st.DataObject
) -> None:
    smaller, larger = sorted((_amount(data, calendar), _amount(data, calendar)))

    assert add_business_time(calendar, start, smaller) <= add_business_time(calendar, start, larger)


@FAST
@given(calendar=calendars(), start=starts, data=st.data())
def test_a_deadline_is_an_open_instant_or_a_closing_time(
    calendar: BusinessCalendar, start: datetime, data: st.DataObject
) -> None:
    seconds = _amount(data, calendar)
    assume(seconds > 0)

    due = add_business_time(calendar, start, seconds)

    assert is_open(calendar, due) or is_open(calendar, due - ONE_MICROSECOND)


@FAST
@given(calendar=calendars(), start=starts, data=st.data())
def test_adding_in_two_steps_is_adding_once(
    calendar: BusinessCalendar, start: datetime, data: st.DataObject
) -> None:
    first, second = _amount(data, calendar), _amount(data, calendar)

    in_steps = add_business_time(calendar, add_business_time(calendar, start, first), second)

    assert in_steps == add_business_time(calendar, start, first + second)


@FAST
@given(calendar=calendars(), start=starts)
def test_next_opening_is_open_and_nothing_opens_before_it(
    calendar: BusinessCalendar, start: datetime
) -> None:
    opens = next_opening(calendar, start)

    assert opens >= start
    assert is_open(calendar, opens)
    assert business_seconds_between(calendar, start, opens) == 0
    assert (opens == start) == is_open(calendar, start)


@settings(max_examples=100, deadline=None)
@given(calendar=calendars(), start=starts)
def test_open_time_matches_a_minute_by_minute_look_at_the_wall_clock(
    calendar: BusinessCalendar, start: datetime
) -> None:
    """Outside fall-back nights (where a repeated hour counts once), the desk is open exactly
    while the local clock shows a time inside one of that day's periods."""
    zone = ZoneInfo(calendar.time_zone)
    first = start.replace(second=0, microsecond=0)
    minutes = [first + timedelta(minutes=m) for m in range(2 * 24 * 60)]
    # Looking back two hours too: a window that opens just after a fall-back change starts
    # inside the repeated hour's second pass.
    looked_at = [first + timedelta(minutes=m) for m in range(-120, 2 * 24 * 60, 30)]
    offsets = [m.astimezone(zone).utcoffset() for m in looked_at]
    assume(all(a <= b for a, b in zip(offsets, offsets[1:], strict=False)))  # type: ignore[operator]

    open_minutes = sum(1 for m in minutes if _wall_clock_is_open(calendar, zone, m))

    assert business_seconds_between(calendar, first, minutes[-1] + timedelta(minutes=1)) == (
        open_minutes * 60
    )


def _wall_clock_is_open(calendar: BusinessCalendar, zone: ZoneInfo, at: datetime) -> bool:
    local = at.astimezone(zone)
    if local.date() in calendar.holidays:
        return False
    minute = local.hour * 60 + local.minute
    return any(p.start_minute <= minute < p.end_minute for p in calendar.week[local.weekday()])


@FAST
@given(calendar=calendars(), key=st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True))
def test_a_calendar_written_as_data_reads_back_the_same(
    calendar: BusinessCalendar, key: str
) -> None:
    document = calendar_parse(calendar_to_document(key, "Office", calendar))

    assert calendar_from_document(document) == calendar
    assert calendar_parse(document.model_dump(mode="json")) == document
