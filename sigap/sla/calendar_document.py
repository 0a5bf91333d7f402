"""A business-hours calendar as an administrator writes it (YAML or JSON), validated here.

    key: jakarta-office
    name: Jakarta office
    time_zone: Asia/Jakarta
    hours:
      monday: ["08:00-12:00", "13:00-17:00"]
      saturday: ["09:00-13:00"]
    holidays:
      - {date: 2026-12-25, name: Natal}

Days not listed are closed. `always_open: true` stands for a desk that never closes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext as _
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from sigap.core.errors import InvalidInput
from sigap.core.fields import field_path
from sigap.sla.calendar import MINUTES_PER_DAY, WEEKDAYS, BusinessCalendar, Period

_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_NAME_LENGTH = 120  # the width of Calendar.name
_BOOLEAN = TypeAdapter(bool)


def _format_period(period: Period) -> str:
    start, end = period.start_minute, period.end_minute
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def _parse_period(value: object) -> Period:
    if isinstance(value, Period):
        return value
    match = _PERIOD.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(
            _(
                "“%(text)s” is not an opening period (write it as start-end in 24-hour time, "
                "for example 08:00-12:00)"
            )
            % {"text": value}
        )
    start_hour, start_minute, end_hour, end_minute = (int(part) for part in match.groups())
    for hour, minute in ((start_hour, start_minute), (end_hour, end_minute)):
        if minute > 59 or hour > 24 or (hour == 24 and minute > 0):
            raise ValueError(
                _("“%(text)s” holds a time that does not exist (times run from 00:00 to 24:00)")
                % {"text": value}
            )
    start = start_hour * 60 + start_minute
    end = end_hour * 60 + end_minute
    if start == end:
        raise ValueError(
            _("the period %(text)s is empty: it ends when it starts") % {"text": value}
        )
    if end < start:
        raise ValueError(
            _(
                "the period %(text)s ends before it starts (a period cannot run past midnight: "
                "end it at 24:00 and continue the next day from 00:00)"
            )
            % {"text": value}
        )
    assert end <= MINUTES_PER_DAY
    return Period(start, end)


def _parse_date(value: object) -> date:
    # YAML reads an unquoted 2026-12-25 as a date already; JSON gives the text.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(
        _("“%(text)s” is not a date (write it as YYYY-MM-DD, for example 2026-12-25)")
        % {"text": value}
    )


def _none_as_empty(value: object) -> object:
    # In YAML an empty `hours:` or `sunday:` is null; it means "nothing here".
    return [] if value is None else value


def _none_as_no_hours(value: object) -> object:
    return {} if value is None else value


OpeningPeriod = Annotated[
    Period,
    PlainValidator(_parse_period),
    PlainSerializer(_format_period, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _PERIOD.pattern, "examples": ["08:00-12:00"]}),
]
HolidayDate = Annotated[
    date,
    PlainValidator(_parse_date),
    PlainSerializer(date.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]
DayPeriods = Annotated[list[OpeningPeriod], BeforeValidator(_none_as_empty)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WeekHours(_Strict):
    """Opening periods per weekday; a day left out is closed."""

    monday: DayPeriods = []
    tuesday: DayPeriods = []
    wednesday: DayPeriods = []
    thursday: DayPeriods = []
    friday: DayPeriods = []
    saturday: DayPeriods = []
    sunday: DayPeriods = []

    def days(self) -> list[tuple[str, list[Period]]]:
        """(weekday, periods) from Monday to Sunday."""
        return [(weekday, list(getattr(self, weekday))) for weekday in WEEKDAYS]


class Holiday(_Strict):
    date: HolidayDate
    name: str = ""


class CalendarDocument(_Strict):
    """A whole calendar; `calendar_parse` turns problems into one plain message."""

    key: str
    name: str = Field(max_length=_NAME_LENGTH)
    time_zone: str = "Asia/Jakarta"
    always_open: bool = False
    hours: Annotated[WeekHours, BeforeValidator(_none_as_no_hours)] = WeekHours()
    holidays: Annotated[list[Holiday], BeforeValidator(_none_as_empty)] = []

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(
                _(
                    "“%(key)s” is not a usable key (use lowercase letters, digits and hyphens, "
                    "for example jakarta-office)"
                )
                % {"key": value}
            )
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(_("give the calendar a name"))
        return value.strip()

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        if not _is_time_zone(value):
            raise ValueError(
                _("“%(zone)s” is not a known time zone (use a name such as Asia/Jakarta)")
                % {"zone": value}
            )
        return value

    @model_validator(mode="after")
    def _rules(self) -> CalendarDocument:
        problems = _rule_problems(
            always_open=self.always_open,
            hours={weekday: list(enumerate(periods)) for weekday, periods in self.hours.days()},
            holidays=[(index, holiday.date) for index, holiday in enumerate(self.holidays)],
            hours_complete=True,
        )
        if problems:
            raise ValueError(_problems_text(problems))
        return self


@dataclass(frozen=True)
class _Problem:
    field: str
    message: str


def calendar_parse(data: object) -> CalendarDocument:
    """Validate a calendar written as data. Raises InvalidInput with one message listing
    every problem, each with the field it is about (e.g. hours.monday[1])."""
    if not isinstance(data, Mapping):
        raise InvalidInput(_("A calendar must be a mapping of fields (key: value)."))
    try:
        return CalendarDocument.model_validate(dict(data))
    except ValidationError as error:
        problems = _problems_of(error, data)
    raise InvalidInput(
        _("The calendar is not valid: %(problems)s") % {"problems": _problems_text(problems)},
        field=problems[0].field or None,
    )


def calendar_from_document(document: CalendarDocument) -> BusinessCalendar:
    """The business calendar a valid document describes."""
    if document.always_open:
        return BusinessCalendar.around_the_clock(document.time_zone)
    return BusinessCalendar(
        time_zone=document.time_zone,
        week=tuple(
            tuple(sorted(periods, key=lambda p: p.start_minute))
            for _weekday, periods in document.hours.days()
        ),
        holidays=frozenset(holiday.date for holiday in document.holidays),
    )


def calendar_to_document(key: str, name: str, calendar: BusinessCalendar) -> dict[str, Any]:
    """The calendar written as data, in the shape `calendar_parse` reads. A BusinessCalendar
    keeps no holiday names, so holidays come back with their dates only."""
    document: dict[str, Any] = {"key": key, "name": name, "time_zone": calendar.time_zone}
    if calendar.always_open:
        document["always_open"] = True
        return document
    document["hours"] = {
        weekday: [_format_period(period) for period in periods]
        for weekday, periods in zip(WEEKDAYS, calendar.week, strict=True)
        if periods
    }
    if calendar.holidays:
        document["holidays"] = [{"date": day.isoformat()} for day in sorted(calendar.holidays)]
    return document


def _is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _rule_problems(
    *,
    always_open: bool,
    hours: Mapping[str, Sequence[tuple[int, Period]]],
    holidays: Sequence[tuple[int, date]],
    hours_complete: bool,
) -> list[_Problem]:
    """What is wrong across entries: overlaps, repeats, and calendars that make no sense.
    Entries are (index as written, value); ones that failed to parse are simply absent, and
    `hours_complete` says whether every written period parsed."""
    problems = []
    for weekday, periods in hours.items():
        ordered = sorted(periods, key=lambda item: item[1].start_minute)
        for (earlier_index, earlier), (later_index, later) in zip(
            ordered, ordered[1:], strict=False
        ):
            if later.start_minute < earlier.end_minute:
                problems.append(
                    _Problem(
                        f"hours.{weekday}[{max(earlier_index, later_index)}]",
                        _("%(later)s overlaps %(earlier)s on the same day")
                        % {"later": _format_period(later), "earlier": _format_period(earlier)},
                    )
                )
    has_hours = any(periods for periods in hours.values())
    if always_open and has_hours:
        problems.append(
            _Problem(
                "hours",
                _(
                    "a calendar that is always open has no opening hours "
                    "(remove hours or set always_open to false)"
                ),
            )
        )
    if always_open and holidays:
        problems.append(
            _Problem(
                "holidays",
                _(
                    "a calendar that is always open has no holidays "
                    "(remove holidays or set always_open to false)"
                ),
            )
        )
    if not always_open and not has_hours and hours_complete:
        problems.append(
            _Problem(
                "hours",
                _(
                    "the calendar is never open (give opening hours for at least one day, "
                    "or set always_open to true)"
                ),
            )
        )
    first_seen: dict[date, int] = {}
    for index, day in holidays:
        if day in first_seen:
            problems.append(
                _Problem(
                    f"holidays[{index}].date",
                    _("%(date)s is already a holiday in holidays[%(index)s]")
                    % {"date": day.isoformat(), "index": first_seen[day]},
                )
            )
        else:
            first_seen[day] = index
    return problems


def _problems_of(error: ValidationError, data: Mapping[Any, Any]) -> list[_Problem]:
    # The rules across entries only run once every field is valid, and then report as one
    # error of the whole document; recomputing them from the raw data lists them beside
    # the field problems, each with its own field.
    problems = [
        _Problem(field_path(item["loc"]), _message(item)) for item in error.errors() if item["loc"]
    ]
    problems.extend(_rule_problems_of_raw(data, failed={p.field for p in problems}))
    if not problems:  # pragma: no cover - the raw rules disagreed with the parsed ones
        problems = [_Problem("", _message(item)) for item in error.errors()]
    return problems


def _rule_problems_of_raw(data: Mapping[Any, Any], failed: set[str]) -> list[_Problem]:
    """The rules across entries, applied to whatever parts of the raw data do parse."""
    hours: dict[str, list[tuple[int, Period]]] = {}
    hours_complete = "hours" not in failed
    raw_hours = data.get("hours") or {}
    if isinstance(raw_hours, Mapping):
        for weekday, raw_periods in raw_hours.items():
            raw_periods = [] if raw_periods is None else raw_periods
            if weekday not in WEEKDAYS or not isinstance(raw_periods, list):
                hours_complete = False
                continue
            hours[weekday] = []
            for index, raw in enumerate(raw_periods):
                try:
                    hours[weekday].append((index, _parse_period(raw)))
                except ValueError:
                    hours_complete = False
    else:
        hours_complete = False
    holidays: list[tuple[int, date]] = []
    raw_holidays = data.get("holidays") or []
    if isinstance(raw_holidays, list):
        for index, raw in enumerate(raw_holidays):
            try:
                holidays.append((index, _parse_date(raw.get("date"))))
            except (ValueError, AttributeError):
                continue
    return _rule_problems(
        always_open=_is_true(data.get("always_open", False)),
        hours=hours,
        holidays=holidays,
        hours_complete=hours_complete,
    )


def _is_true(value: object) -> bool:
    """Whether pydantic reads `value` as true; anything unreadable counts as false."""
    try:
        return _BOOLEAN.validate_python(value)
    except ValidationError:
        return False


def _message(item: ErrorDetails) -> str:
    """Pydantic's words for a problem, replaced by our own (translated) ones where they are
    about the shape of the document."""
    kind = item["type"]
    loc = item["loc"]
    if kind == "value_error":
        return str(item.get("ctx", {}).get("error", item["msg"]))
    if kind == "missing":
        return _("this field is required")
    if kind == "extra_forbidden":
        if len(loc) == 2 and loc[0] == "hours":
            return _("“%(name)s” is not a day of the week (write one of %(days)s)") % {
                "name": loc[-1],
                "days": ", ".join(WEEKDAYS),
            }
        if len(loc) == 3 and loc[0] == "holidays":
            return _("“%(name)s” is not part of a holiday (a holiday has a date and a name)") % {
                "name": loc[-1]
            }
        return _(
            "“%(name)s” is not a calendar field (the fields are key, name, time_zone, "
            "always_open, hours and holidays)"
        ) % {"name": loc[-1]}
    if kind == "string_type":
        return _("write this as text")
    if kind in {"bool_type", "bool_parsing"}:
        return _("write true or false")
    if kind == "list_type" and loc[:1] == ("holidays",):
        return _("write a list here, for example [{date: 2026-12-25, name: Natal}]")
    if kind == "list_type":
        return _("write a list here, for example [08:00-12:00, 13:00-17:00]")
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return _("write a mapping of fields here (name: value)")
    if kind == "string_too_long":
        return _("this is too long (at most %(limit)s characters)") % {
            "limit": item.get("ctx", {}).get("max_length", _NAME_LENGTH)
        }
    return item["msg"]


def _problems_text(problems: Sequence[_Problem]) -> str:
    return "; ".join(
        f"{problem.field}: {problem.message}" if problem.field else problem.message
        for problem in problems
    )
