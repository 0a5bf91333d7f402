"""Business-hours arithmetic: when a target falls due, counting only the hours a desk is open.

Pure Python, no database and no clock of its own: callers pass the instants. A calendar's
opening periods are local wall-clock times in its time zone; each local date's periods are
turned into real (UTC) intervals, so daylight-saving days are as long as they really are.

A wall-clock time is placed at the first instant the clock reads that time or later:
- a time that does not exist (inside a spring-forward gap) is the instant the clock jumps;
- a time that happens twice (in a fall-back night) is its first occurrence.
This mapping never goes backwards, so the intervals of a calendar are ordered and disjoint.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MINUTES_PER_DAY = 24 * 60
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_MICROS = 1_000_000
_MINUTE = 60 * _MICROS
_DAY = 24 * 60 * _MINUTE
_ONE_DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - wall-clock arithmetic has no zone
# A target that needs more than this to fall due is a mistake, not a deadline.
_SEARCH_DAYS = 3660


@dataclass(frozen=True)
class Period:
    """One opening period of a day, in minutes after local midnight; 1440 is the next midnight."""

    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY:
            raise ValueError(
                f"a period needs 0 <= start < end <= {MINUTES_PER_DAY} minutes, "
                f"not {self.start_minute}..{self.end_minute}"
            )


@dataclass(frozen=True)
class BusinessCalendar:
    """When a desk is open: a week of opening periods in a time zone, less its holidays.

    `week` has seven entries, Monday first; each holds that day's periods, sorted and not
    overlapping. `holidays` are local dates closed all day. An `always_open` calendar counts
    every second and ignores `week` and `holidays`.
    """

    time_zone: str
    week: tuple[tuple[Period, ...], ...]
    holidays: frozenset[date] = frozenset()
    always_open: bool = False

    def __post_init__(self) -> None:
        # Callers often build these from lists; keep the value hashable and comparable.
        object.__setattr__(self, "week", tuple(tuple(day) for day in self.week))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        _zone(self.time_zone)
        if len(self.week) != 7:
            raise ValueError(f"a week has 7 days, not {len(self.week)}")
        for weekday, periods in zip(WEEKDAYS, self.week, strict=True):
            for earlier, later in zip(periods, periods[1:], strict=False):
                if later.start_minute < earlier.end_minute:
                    raise ValueError(
                        f"the periods of {weekday} must be sorted and must not overlap: "
                        f"{describe_period(earlier)} and {describe_period(later)}"
                    )

    @classmethod
    def around_the_clock(cls, time_zone: str = "Asia/Jakarta") -> BusinessCalendar:
        """A desk that never closes: business time is calendar time."""
        return cls(time_zone=time_zone, week=((),) * 7, always_open=True)

    @property
    def has_open_time(self) -> bool:
        """Whether an ordinary week has any open minute at all."""
        return self.always_open or any(self.week)


def describe_period(p: Period) -> str:
    """The period as people write it, e.g. "08:00–12:00"; the end of the day is "24:00"."""
    return f"{_clock(p.start_minute)}–{_clock(p.end_minute)}"


def add_business_time(calendar: BusinessCalendar, start: datetime, seconds: float) -> datetime:
    """The instant (UTC) at which `seconds` of open time have passed since `start`.

    Counting begins at `start` if the desk is open then, otherwise at its next opening.
    Zero seconds give `start` itself, even when the desk is closed. When the time runs out
    exactly at a closing time, that closing instant is the answer. Raises ValueError for a
    naive `start`, a negative or non-finite amount, a calendar that is never open, or a
    target more than about ten years of calendar time away.
    """
    _require_aware(start, "start")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"business time must be a finite, non-negative number, not {seconds}")
    remaining = round(seconds * _MICROS)
    if remaining == 0:
        return start.astimezone(UTC)
    if calendar.always_open:
        return (start + timedelta(microseconds=remaining)).astimezone(UTC)
    at = _to_micros(start)
    for opens, closes in _searched_intervals(calendar, at):
        begin = max(opens, at)
        if remaining <= closes - begin:
            return _from_micros(begin + remaining)
        remaining -= closes - begin
    raise AssertionError("unreachable: the search raises when it gives up")  # pragma: no cover


def business_seconds_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Open seconds in [start, end); 0 when `end` is not after `start`."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    low, high = _to_micros(start), _to_micros(end)
    if high <= low:
        return 0.0
    if calendar.always_open:
        return (high - low) / _MICROS
    total = 0
    zone = _zone(calendar.time_zone)
    for opens, closes in _intervals(calendar, zone, low, _local_date(zone, high)):
        if opens >= high:
            break
        total += min(closes, high) - max(opens, low)
    return total / _MICROS


def is_open(calendar: BusinessCalendar, at: datetime) -> bool:
    """Whether the desk is open at the instant `at`."""
    _require_aware(at, "at")
    if calendar.always_open:
        return True
    instant = _to_micros(at)
    zone = _zone(calendar.time_zone)
    for opens, _closes in _intervals(calendar, zone, instant, _local_date(zone, instant)):
        return opens <= instant
    return False


def next_opening(calendar: BusinessCalendar, at: datetime) -> datetime:
    """`at` itself (as UTC) if the desk is open then, otherwise the instant it next opens.

    Raises ValueError for a calendar that is never open or stays closed for ten years.
    """
    _require_aware(at, "at")
    if calendar.always_open:
        return at.astimezone(UTC)
    instant = _to_micros(at)
    for opens, _closes in _searched_intervals(calendar, instant):
        return _from_micros(max(opens, instant))
    raise AssertionError("unreachable: the search raises when it gives up")  # pragma: no cover


def _searched_intervals(calendar: BusinessCalendar, at: int) -> Iterator[tuple[int, int]]:
    """The open intervals from `at` on, for searches that must end: ValueError when none come."""
    if not calendar.has_open_time:
        raise ValueError("this calendar is never open, so no business time ever passes")
    zone = _zone(calendar.time_zone)
    first_day = _local_date(zone, at)
    yield from _intervals(calendar, zone, at, first_day + timedelta(days=_SEARCH_DAYS))
    raise ValueError(
        f"the calendar has no open time left within {_SEARCH_DAYS} days of {first_day}"
    )


def _intervals(
    calendar: BusinessCalendar, zone: ZoneInfo, at: int, last_day: date
) -> Iterator[tuple[int, int]]:
    """Open intervals (UTC microseconds, half-open) that end after `at`, in order, from the
    local date of `at` up to and including `last_day`. Earlier dates cannot reach `at`: their
    periods close by the next local midnight, which comes no later than `at`."""
    day = _local_date(zone, at)
    known_day: date | None = None
    known_midnight = 0
    while day <= last_day:
        periods = calendar.week[day.weekday()]
        if periods and day not in calendar.holidays:
            midnight = known_midnight if known_day == day else _instant(zone, day, 0)
            next_day = day + _ONE_DAY
            next_midnight = _instant(zone, next_day, 0)
            known_day, known_midnight = next_day, next_midnight
            # Most days have no clock change: every period is then plain minutes from midnight.
            # No zone changes its offset twice within one day, so equal length means no change.
            is_plain_day = next_midnight - midnight == _DAY
            for period in periods:
                if is_plain_day:
                    opens = midnight + period.start_minute * _MINUTE
                    closes = midnight + period.end_minute * _MINUTE
                else:
                    opens = _instant(zone, day, period.start_minute)
                    closes = _instant(zone, day, period.end_minute)
                # A period wholly inside a spring-forward gap never happens.
                if closes > opens and closes > at:
                    yield opens, closes
        day += _ONE_DAY


def _instant(zone: ZoneInfo, day: date, minute: int) -> int:
    """The first instant (UTC microseconds) at which the clock in `zone` reads `day` at
    `minute` or later."""
    wall = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)  # noqa: DTZ001
    wall_micros = _naive_micros(wall)
    offset_before = zone.utcoffset(wall)
    offset_after = zone.utcoffset(wall.replace(fold=1))
    # A ZoneInfo always knows the offset of a local time; the check is for the type checker.
    assert offset_before is not None
    assert offset_after is not None
    first = wall_micros - _timedelta_micros(offset_before)
    second = wall_micros - _timedelta_micros(offset_after)
    if first <= second:
        # An ordinary time (both equal) or a repeated one, whose first occurrence counts.
        return first
    # Inside a gap the clock never reads `wall`; it jumps past it somewhere in
    # (second, first]. Find the jump: the first instant whose reading is `wall` or later.
    low, high = second, first
    while high - low > 1:
        middle = (low + high) // 2
        if _from_micros(middle).astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def _local_date(zone: ZoneInfo, instant: int) -> date:
    return _from_micros(instant).astimezone(zone).date()


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, not {value!r}")


def _timedelta_micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * _MICROS + delta.microseconds


def _to_micros(value: datetime) -> int:
    return _timedelta_micros(value - _EPOCH)


def _naive_micros(value: datetime) -> int:
    return _timedelta_micros(value - _NAIVE_EPOCH)


def _from_micros(instant: int) -> datetime:
    return _EPOCH + timedelta(microseconds=instant)


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
