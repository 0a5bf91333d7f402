"""Business-hours arithmetic: when a target falls due at an office that closes for the night."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sigap.sla.calendar import (
    BusinessCalendar,
    Period,
    add_business_time,
    business_seconds_between,
    describe_period,
    is_open,
    next_opening,
)

WIB = ZoneInfo("Asia/Jakarta")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600.0
# 2026-11-02 is a Monday.
MONDAY = date(2026, 11, 2)


def _period(text: str) -> Period:
    start, end = text.split("-")
    return Period(_minutes(start), _minutes(end))


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _weekdays(
    *periods: str, time_zone: str = "Asia/Jakarta", holidays: frozenset[date] = frozenset()
) -> BusinessCalendar:
    day = tuple(_period(p) for p in periods)
    return BusinessCalendar(time_zone, (day,) * 5 + ((), ()), holidays)


def _every_day(*periods: str, time_zone: str) -> BusinessCalendar:
    return BusinessCalendar(time_zone, (tuple(_period(p) for p in periods),) * 7)


def _wib(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB)


JAKARTA_OFFICE = _weekdays("08:00-12:00", "13:00-17:00")
FRIDAY = MONDAY + timedelta(days=4)
NEXT_MONDAY = MONDAY + timedelta(days=7)


def test_friday_afternoon_ticket_is_due_monday_morning() -> None:
    due = add_business_time(JAKARTA_OFFICE, _wib(FRIDAY, 16, 30), 60 * 60)

    assert due == _wib(NEXT_MONDAY, 8, 30)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 11, 9, 1, 30, tzinfo=UTC)


def test_holiday_on_monday_pushes_the_deadline_to_tuesday() -> None:
    office = _weekdays("08:00-12:00", "13:00-17:00", holidays=frozenset({NEXT_MONDAY}))

    due = add_business_time(office, _wib(FRIDAY, 16, 30), 60 * 60)

    assert due == _wib(NEXT_MONDAY + timedelta(days=1), 8, 30)


def test_lunch_break_is_skipped() -> None:
    assert add_business_time(JAKARTA_OFFICE, _wib(MONDAY, 11, 30), HOUR) == _wib(MONDAY, 13, 30)


def test_time_left_at_closing_carries_over_the_night() -> None:
    tuesday = MONDAY + timedelta(days=1)

    due = add_business_time(JAKARTA_OFFICE, _wib(tuesday, 16), 2 * HOUR)

    assert due == _wib(tuesday + timedelta(days=1), 9)


def test_weekend_is_closed() -> None:
    saturday = MONDAY + timedelta(days=5)

    assert add_business_time(JAKARTA_OFFICE, _wib(saturday, 10), 30 * 60) == _wib(
        NEXT_MONDAY, 8, 30
    )


def test_counting_starts_at_opening_when_the_ticket_arrives_early() -> None:
    assert add_business_time(JAKARTA_OFFICE, _wib(MONDAY, 6), 30 * 60) == _wib(MONDAY, 8, 30)


def test_counting_starts_after_lunch_when_the_ticket_arrives_during_lunch() -> None:
    due = add_business_time(JAKARTA_OFFICE, _wib(MONDAY, 12, 15), 30 * 60)

    assert due == _wib(MONDAY, 13, 30)


def test_time_running_out_at_closing_is_due_at_closing() -> None:
    assert add_business_time(JAKARTA_OFFICE, _wib(MONDAY, 16), HOUR) == _wib(MONDAY, 17)
    assert add_business_time(JAKARTA_OFFICE, _wib(MONDAY, 16), HOUR + 1) == _wib(
        MONDAY + timedelta(days=1), 8, 0
    ) + timedelta(seconds=1)


def test_zero_time_is_the_start_itself_even_when_closed() -> None:
    sunday_night = _wib(MONDAY - timedelta(days=1), 22)

    due = add_business_time(JAKARTA_OFFICE, sunday_night, 0)

    assert due == sunday_night
    assert due.tzinfo is UTC


def test_start_in_any_time_zone_gives_the_same_instant() -> None:
    friday_in_utc = _wib(FRIDAY, 16, 30).astimezone(UTC)
    friday_in_berlin = _wib(FRIDAY, 16, 30).astimezone(BERLIN)

    assert add_business_time(JAKARTA_OFFICE, friday_in_utc, HOUR) == _wib(NEXT_MONDAY, 8, 30)
    assert add_business_time(JAKARTA_OFFICE, friday_in_berlin, HOUR) == _wib(NEXT_MONDAY, 8, 30)


def test_a_week_of_business_time_is_a_calendar_week() -> None:
    start = _wib(MONDAY, 10)

    assert add_business_time(JAKARTA_OFFICE, start, 5 * 8 * HOUR) == _wib(NEXT_MONDAY, 10)


def test_business_seconds_between_counts_only_open_time() -> None:
    assert (
        business_seconds_between(JAKARTA_OFFICE, _wib(FRIDAY, 16, 30), _wib(NEXT_MONDAY, 8, 30))
        == HOUR
    )
    assert business_seconds_between(JAKARTA_OFFICE, _wib(MONDAY, 7), _wib(MONDAY, 18)) == 8 * HOUR
    assert business_seconds_between(JAKARTA_OFFICE, _wib(MONDAY, 12), _wib(MONDAY, 13)) == 0
    assert business_seconds_between(JAKARTA_OFFICE, _wib(MONDAY, 9), _wib(MONDAY, 9)) == 0
    assert business_seconds_between(JAKARTA_OFFICE, _wib(MONDAY, 10), _wib(MONDAY, 9)) == 0


def test_is_open_follows_the_periods() -> None:
    assert not is_open(JAKARTA_OFFICE, _wib(MONDAY, 7, 59))
    assert is_open(JAKARTA_OFFICE, _wib(MONDAY, 8))
    assert is_open(JAKARTA_OFFICE, _wib(MONDAY, 12) - timedelta(microseconds=1))
    assert not is_open(JAKARTA_OFFICE, _wib(MONDAY, 12))
    assert is_open(JAKARTA_OFFICE, _wib(MONDAY, 13))
    assert not is_open(JAKARTA_OFFICE, _wib(MONDAY, 17))
    assert not is_open(JAKARTA_OFFICE, _wib(MONDAY + timedelta(days=5), 10))


def test_next_opening() -> None:
    assert next_opening(JAKARTA_OFFICE, _wib(MONDAY, 9)) == _wib(MONDAY, 9)
    assert next_opening(JAKARTA_OFFICE, _wib(MONDAY, 12, 30)) == _wib(MONDAY, 13)
    assert next_opening(JAKARTA_OFFICE, _wib(FRIDAY, 17)) == _wib(NEXT_MONDAY, 8)
    assert next_opening(JAKARTA_OFFICE, _wib(FRIDAY, 17)).tzinfo is UTC


def test_around_the_clock_is_plain_addition() -> None:
    always = BusinessCalendar.around_the_clock()
    start = datetime(2026, 11, 7, 23, 59, 30, 250, tzinfo=WIB)

    assert always.time_zone == "Asia/Jakarta"
    assert add_business_time(always, start, 90.5) == start + timedelta(seconds=90.5)
    assert add_business_time(always, start, 30 * 86400) == start + timedelta(days=30)
    assert business_seconds_between(always, start, start + timedelta(days=2)) == 2 * 86400
    assert is_open(always, start)
    assert next_opening(always, start) == start


def test_around_the_clock_ignores_week_and_holidays() -> None:
    always = BusinessCalendar("Asia/Jakarta", ((),) * 7, frozenset({MONDAY}), always_open=True)
    start = _wib(MONDAY, 3)

    assert add_business_time(always, start, HOUR) == _wib(MONDAY, 4)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 11, 2, 9)

    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_time(JAKARTA_OFFICE, naive, HOUR)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_seconds_between(JAKARTA_OFFICE, _wib(MONDAY, 9), naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(JAKARTA_OFFICE, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        next_opening(JAKARTA_OFFICE, naive)


def test_negative_or_endless_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        add_business_time(JAKARTA_OFFICE, _wib(MONDAY, 9), -1)
    with pytest.raises(ValueError, match="non-negative"):
        add_business_time(JAKARTA_OFFICE, _wib(MONDAY, 9), float("inf"))


def test_a_calendar_that_is_never_open_raises_instead_of_searching_forever() -> None:
    closed = BusinessCalendar("Asia/Jakarta", ((),) * 7)

    with pytest.raises(ValueError, match="never open"):
        add_business_time(closed, _wib(MONDAY, 9), 60)
    with pytest.raises(ValueError, match="never open"):
        next_opening(closed, _wib(MONDAY, 9))
    assert not is_open(closed, _wib(MONDAY, 9))
    assert business_seconds_between(closed, _wib(MONDAY, 9), _wib(NEXT_MONDAY, 9)) == 0


def test_search_gives_up_after_about_ten_years() -> None:
    # Open on Mondays only, and every Monday for eleven years is a holiday.
    mondays = frozenset(MONDAY + timedelta(weeks=w) for w in range(11 * 53))
    office = BusinessCalendar("Asia/Jakarta", ((_period("08:00-17:00"),),) + ((),) * 6, mondays)

    with pytest.raises(ValueError, match="no open time left"):
        next_opening(office, _wib(MONDAY, 9))
    with pytest.raises(ValueError, match="no open time left"):
        add_business_time(JAKARTA_OFFICE, _wib(MONDAY, 9), 11 * 52 * 40 * HOUR)


def test_thirty_days_of_business_time_lands_eighteen_weeks_later() -> None:
    office = _weekdays("09:00-17:00")

    due = add_business_time(office, _wib(MONDAY, 10), 30 * 86400)

    # 720 business hours are 90 working days: 18 weeks.
    assert due == _wib(MONDAY + timedelta(weeks=18), 10)


def test_describe_period() -> None:
    assert describe_period(Period(480, 720)) == "08:00–12:00"
    assert describe_period(Period(1290, 1440)) == "21:30–24:00"


def test_impossible_periods_and_weeks_are_refused() -> None:
    with pytest.raises(ValueError, match="period"):
        Period(600, 600)
    with pytest.raises(ValueError, match="period"):
        Period(1000, 1441)
    with pytest.raises(ValueError, match="overlap"):
        _weekdays("08:00-12:00", "11:00-14:00")
    with pytest.raises(ValueError, match="7 days"):
        BusinessCalendar("Asia/Jakarta", ((),) * 6)
    with pytest.raises(ValueError, match="unknown time zone"):
        BusinessCalendar("Mars/Olympus_Mons", ((),) * 7)


def test_calendars_built_from_lists_compare_equal_to_tuples() -> None:
    week = [[Period(480, 720)]] + [[]] * 6
    built = BusinessCalendar("Asia/Jakarta", week, {MONDAY})  # type: ignore[arg-type]

    assert built == BusinessCalendar(
        "Asia/Jakarta", ((Period(480, 720),),) + ((),) * 6, frozenset({MONDAY})
    )
    assert hash(built)


# Daylight saving. Berlin: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET.
# New York: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST.


def _berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


SPRING = date(2026, 3, 29)
AUTUMN = date(2026, 10, 25)


def test_a_period_across_spring_forward_is_two_real_hours() -> None:
    night = _every_day("01:00-04:00", time_zone="Europe/Berlin")

    assert business_seconds_between(night, _berlin(SPRING, 0), _berlin(SPRING, 12)) == 2 * HOUR
    # 01:30 CET plus one hour is 03:30 CEST: the clock skipped 02:00-03:00.
    assert add_business_time(night, _berlin(SPRING, 1, 30), HOUR) == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    assert add_business_time(night, _berlin(SPRING, 1, 30), 1.5 * HOUR) == _berlin(SPRING, 4)
    assert add_business_time(night, _berlin(SPRING, 1, 30), 1.5 * HOUR + 60) == _berlin(
        SPRING + timedelta(days=1), 1, 1
    )


def test_a_period_across_fall_back_is_four_real_hours() -> None:
    night = _every_day("01:00-04:00", time_zone="Europe/Berlin")

    assert business_seconds_between(night, _berlin(AUTUMN, 0), _berlin(AUTUMN, 12)) == 4 * HOUR
    assert add_business_time(night, _berlin(AUTUMN, 1), 4 * HOUR) == _berlin(AUTUMN, 4)
    assert add_business_time(night, _berlin(AUTUMN, 1), 4 * HOUR) == datetime(
        2026, 10, 25, 3, tzinfo=UTC
    )


def test_whole_days_are_as_long_as_they_really_are() -> None:
    all_day = _every_day("00:00-24:00", time_zone="Europe/Berlin")
    one_day = timedelta(days=1)

    assert business_seconds_between(all_day, _berlin(SPRING, 0), _berlin(SPRING + one_day, 0)) == (
        23 * HOUR
    )
    assert business_seconds_between(all_day, _berlin(AUTUMN, 0), _berlin(AUTUMN + one_day, 0)) == (
        25 * HOUR
    )


def test_a_target_running_through_the_spring_night_counts_real_seconds() -> None:
    all_day = _every_day("00:00-24:00", time_zone="Europe/Berlin")
    saturday_night = _berlin(SPRING - timedelta(days=1), 22)

    due = add_business_time(all_day, saturday_night, 6 * HOUR)

    # Six real hours, though the wall clock moves on seven.
    assert due == datetime(2026, 3, 29, 3, tzinfo=UTC)
    assert due == _berlin(SPRING, 5)


def test_a_target_running_through_the_autumn_night_counts_real_seconds() -> None:
    all_day = _every_day("00:00-24:00", time_zone="Europe/Berlin")
    saturday_night = _berlin(AUTUMN - timedelta(days=1), 22)

    due = add_business_time(all_day, saturday_night, 6 * HOUR)

    # Six real hours, though the wall clock moves on five.
    assert due == datetime(2026, 10, 25, 2, tzinfo=UTC)
    assert due == _berlin(AUTUMN, 3)


def test_an_opening_inside_the_spring_gap_is_when_the_clock_jumps() -> None:
    sunday_night = BusinessCalendar("Europe/Berlin", ((),) * 6 + ((_period("02:30-05:00"),),))

    opens = next_opening(sunday_night, _berlin(SPRING - timedelta(days=1), 12))

    assert opens == datetime(2026, 3, 29, 1, tzinfo=UTC)  # 03:00 CEST
    assert not is_open(sunday_night, opens - timedelta(microseconds=1))
    assert business_seconds_between(sunday_night, opens, opens + timedelta(days=1)) == 2 * HOUR


def test_a_period_wholly_inside_the_spring_gap_never_opens() -> None:
    gap = BusinessCalendar(
        "Europe/Berlin", ((),) * 6 + ((_period("02:15-02:45"), _period("09:00-10:00")),)
    )

    assert next_opening(gap, _berlin(SPRING, 0)) == _berlin(SPRING, 9)
    assert business_seconds_between(gap, _berlin(SPRING, 0), _berlin(SPRING, 12)) == HOUR


def test_an_opening_in_the_repeated_hour_is_its_first_occurrence() -> None:
    sunday_night = BusinessCalendar("Europe/Berlin", ((),) * 6 + ((_period("02:30-05:00"),),))

    opens = next_opening(sunday_night, _berlin(AUTUMN - timedelta(days=1), 12))

    assert opens == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    local = opens.astimezone(BERLIN)
    assert (local.hour, local.minute, local.fold, local.tzname()) == (2, 30, 0, "CEST")
    # Until 05:00 CET: two and a half hours of wall clock, three and a half real ones.
    assert business_seconds_between(sunday_night, opens, opens + timedelta(days=1)) == 3.5 * HOUR


def test_new_york_office_hours_follow_the_local_clock_across_both_changes() -> None:
    office = _weekdays("09:00-17:00", time_zone="America/New_York")
    friday_before_spring = datetime(2026, 3, 6, 16, tzinfo=NEW_YORK)
    friday_before_autumn = datetime(2026, 10, 30, 16, tzinfo=NEW_YORK)

    assert add_business_time(office, friday_before_spring, 1.5 * HOUR) == datetime(
        2026, 3, 9, 13, 30, tzinfo=UTC
    )  # 09:30 EDT
    assert add_business_time(office, friday_before_autumn, 1.5 * HOUR) == datetime(
        2026, 11, 2, 14, 30, tzinfo=UTC
    )  # 09:30 EST


def test_new_york_nights_span_the_changes_in_real_hours() -> None:
    all_day = _every_day("00:00-24:00", time_zone="America/New_York")
    night = _every_day("00:00-06:00", time_zone="America/New_York")
    spring = datetime(2026, 3, 8, tzinfo=NEW_YORK)
    autumn = datetime(2026, 11, 1, tzinfo=NEW_YORK)

    next_midnight = datetime(2026, 3, 9, tzinfo=NEW_YORK)

    assert business_seconds_between(all_day, spring, next_midnight) == 23 * HOUR
    assert business_seconds_between(night, spring, spring + timedelta(days=1)) == 5 * HOUR
    assert business_seconds_between(night, autumn, autumn + timedelta(days=1)) == 7 * HOUR
    # 00:00 EST + 3 real hours on the spring night is 04:00 EDT.
    assert add_business_time(night, spring, 3 * HOUR) == datetime(2026, 3, 8, 4, tzinfo=NEW_YORK)
    # 00:00 EDT + 3 real hours on the autumn night is 02:00 EST.
    assert add_business_time(night, autumn, 3 * HOUR) == datetime(2026, 11, 1, 2, tzinfo=NEW_YORK)
