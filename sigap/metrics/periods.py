"""Reporting periods: a calendar month (`2026-10`) or an ISO week (`2026-W43`), in the desk's
time zone, so a ticket opened at 00:30 in Jakarta on 1 November belongs to November."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from sigap.core.errors import InvalidInput

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Period:
    """Local dates [first, end): `end` is the first day after the period."""

    key: str
    kind: str  # "month" or "week"
    first: date
    end: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.end - self.first).days)]

    @property
    def starts_at(self) -> datetime:
        return local_midnight(self.first)

    @property
    def ends_at(self) -> datetime:
        return local_midnight(self.end)

    def previous(self) -> Period:
        return period_before(self)

    def next(self) -> Period:
        if self.kind == "week":
            return week_of(self.end)
        return month_of(self.end)


def desk_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=desk_zone())


def local_date(at: datetime) -> date:
    return at.astimezone(desk_zone()).date()


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    end = (first + timedelta(days=32)).replace(day=1)
    return Period(key=f"{first:%Y-%m}", kind="month", first=first, end=end)


def week_of(day: date) -> Period:
    year, week, weekday = day.isocalendar()
    first = day - timedelta(days=weekday - 1)
    return Period(key=f"{year}-W{week:02d}", kind="week", first=first, end=first + timedelta(7))


def period_before(period: Period) -> Period:
    if period.kind == "week":
        return week_of(period.first - timedelta(days=7))
    return month_of(period.first - timedelta(days=1))


def period_parse(text: str) -> Period:
    """`2026-10` or `2026-W43`; anything else, or a month or week that does not exist, is
    refused with the reason in plain words."""
    value = (text or "").strip()
    month = _MONTH.match(value)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        if not 1 <= number <= 12 or year < 1:
            raise InvalidInput(
                _("There is no month %(period)s: months run from 01 to 12.") % {"period": value},
                field="period",
            )
        return month_of(date(year, number, 1))
    week = _WEEK.match(value)
    if week:
        year, number = int(week.group(1)), int(week.group(2))
        try:
            monday = date.fromisocalendar(year, number, 1)
        except ValueError:
            raise InvalidInput(
                _("There is no week %(period)s: that year has weeks 01 to %(last)s.")
                % {"period": value, "last": date(max(year, 1), 12, 28).isocalendar()[1]},
                field="period",
            ) from None
        return week_of(monday)
    raise InvalidInput(
        _("“%(period)s” is not a period: write a month like 2026-10 or a week like 2026-W43.")
        % {"period": value[:40]},
        field="period",
    )
