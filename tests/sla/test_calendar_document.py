"""Calendars written as data: what is accepted, and how each mistake is explained."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from sigap.core.errors import InvalidInput
from sigap.sla.calendar import BusinessCalendar, Period, add_business_time
from sigap.sla.calendar_document import (
    CalendarDocument,
    calendar_from_document,
    calendar_parse,
    calendar_to_document,
)

LIBRARY = Path(__file__).resolve().parents[2] / "sigap" / "sla" / "library"
OFFICE = [Period(480, 720), Period(780, 1020)]

JAKARTA = """\
key: jakarta-office
name: Jakarta office
time_zone: Asia/Jakarta
hours:
  monday: ["08:00-12:00", "13:00-17:00"]
  tuesday: ["08:00-12:00", "13:00-17:00"]
  saturday: ["09:00-13:00"]
holidays:
  - {date: 2026-12-25, name: Natal}
  - {date: 2026-08-17, name: Hari Kemerdekaan}
"""


def _valid(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": "jakarta-office",
        "name": "Jakarta office",
        "time_zone": "Asia/Jakarta",
        "hours": {"monday": ["08:00-12:00", "13:00-17:00"]},
    }
    data.update(changes)
    return data


def _refusal(data: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as raised:
        calendar_parse(data)
    return raised.value


def _only_problem(data: object) -> tuple[str | None, str]:
    """The field and message of a refusal that names exactly one problem."""
    error = _refusal(data)
    prefix = "The calendar is not valid: "
    assert error.message.startswith(prefix)
    return error.field, error.message.removeprefix(prefix)


def test_the_example_calendar_reads_as_written() -> None:
    calendar = calendar_from_document(calendar_parse(yaml.safe_load(JAKARTA)))

    assert calendar == BusinessCalendar(
        time_zone="Asia/Jakarta",
        week=(tuple(OFFICE), tuple(OFFICE), (), (), (), (Period(540, 780),), ()),
        holidays=frozenset({date(2026, 12, 25), date(2026, 8, 17)}),
    )


def test_the_bundled_office_calendar_closes_early_on_friday() -> None:
    text = (LIBRARY / "jakarta-office.yaml").read_text(encoding="utf-8")
    calendar = calendar_from_document(calendar_parse(yaml.safe_load(text)))
    friday_eleven_wib = datetime(2026, 11, 6, 4, tzinfo=UTC)

    # Friday closes at 11:30 and reopens at 13:00.
    due = add_business_time(calendar, friday_eleven_wib, 3600)

    assert due == datetime(2026, 11, 6, 6, 30, tzinfo=UTC)


def test_always_open_is_around_the_clock() -> None:
    document = calendar_parse({"key": "support-24-7", "name": "24/7", "always_open": True})

    assert calendar_from_document(document) == BusinessCalendar.around_the_clock()


def test_empty_entries_written_in_yaml_mean_closed() -> None:
    data = yaml.safe_load("key: k\nname: N\nalways_open: true\nhours:\nholidays:\n") | {
        "time_zone": "Europe/Berlin"
    }

    assert calendar_from_document(calendar_parse(data)) == BusinessCalendar.around_the_clock(
        "Europe/Berlin"
    )
    sunday_left_empty = yaml.safe_load("monday: [08:00-12:00]\nsunday:\n")
    parsed = calendar_from_document(calendar_parse(_valid(hours=sunday_left_empty)))
    assert parsed.week[6] == ()


def test_time_zone_defaults_to_jakarta() -> None:
    data = _valid()
    del data["time_zone"]

    assert calendar_parse(data).time_zone == "Asia/Jakarta"


def test_midnight_at_the_end_of_the_day_is_24_00_and_periods_are_put_in_order() -> None:
    document = calendar_parse(_valid(hours={"friday": ["20:00-24:00", "00:00-02:00"]}))

    assert calendar_from_document(document).week[4] == (Period(0, 120), Period(1200, 1440))


def test_an_en_dash_is_read_like_a_hyphen() -> None:
    document = calendar_parse(_valid(hours={"monday": ["08:00–12:00"]}))

    assert calendar_from_document(document).week[0] == (Period(480, 720),)


@pytest.mark.parametrize(
    ("hours", "field", "message"),
    [
        (
            ["8am-5pm"],
            "hours.monday[0]",
            "“8am-5pm” is not an opening period (write it as start-end in 24-hour time, "
            "for example 08:00-12:00)",
        ),
        (
            ["08:00-12:00", "13:00-13:00"],
            "hours.monday[1]",
            "the period 13:00-13:00 is empty: it ends when it starts",
        ),
        (
            ["17:00-08:00"],
            "hours.monday[0]",
            "the period 17:00-08:00 ends before it starts (a period cannot run past midnight: "
            "end it at 24:00 and continue the next day from 00:00)",
        ),
        (
            ["08:00-12:60"],
            "hours.monday[0]",
            "“08:00-12:60” holds a time that does not exist (times run from 00:00 to 24:00)",
        ),
        (
            ["08:00-24:30"],
            "hours.monday[0]",
            "“08:00-24:30” holds a time that does not exist (times run from 00:00 to 24:00)",
        ),
        (
            ["08:00-12:00", "11:00-14:00"],
            "hours.monday[1]",
            "11:00-14:00 overlaps 08:00-12:00 on the same day",
        ),
        (
            ["11:00-14:00", "08:00-12:00"],
            "hours.monday[1]",
            "11:00-14:00 overlaps 08:00-12:00 on the same day",
        ),
    ],
)
def test_a_bad_period_is_refused_with_its_place(hours: list[str], field: str, message: str) -> None:
    assert _only_problem(_valid(hours={"monday": hours})) == (field, f"{field}: {message}")


def test_periods_that_touch_do_not_overlap() -> None:
    document = calendar_parse(_valid(hours={"monday": ["08:00-12:00", "12:00-13:00"]}))

    assert calendar_from_document(document).week[0] == (Period(480, 720), Period(720, 780))


def test_unknown_time_zone_is_refused() -> None:
    assert _only_problem(_valid(time_zone="Asia/Jakarat")) == (
        "time_zone",
        "time_zone: “Asia/Jakarat” is not a known time zone (use a name such as Asia/Jakarta)",
    )


def test_unknown_weekday_is_refused() -> None:
    data = _valid(hours={"monday": ["08:00-12:00"], "senin": ["08:00-12:00"]})

    assert _only_problem(data) == (
        "hours.senin",
        "hours.senin: “senin” is not a day of the week (write one of monday, tuesday, "
        "wednesday, thursday, friday, saturday, sunday)",
    )


@pytest.mark.parametrize("written", ["25/12/2026", "2026-13-01", "2026-02-30", "next friday"])
def test_a_holiday_date_must_be_year_month_day(written: str) -> None:
    data = _valid(holidays=[{"date": "2026-08-17", "name": "Merdeka"}, {"date": written}])

    assert _only_problem(data) == (
        "holidays[1].date",
        f"holidays[1].date: “{written}” is not a date (write it as YYYY-MM-DD, "
        "for example 2026-12-25)",
    )


def test_a_holiday_listed_twice_is_refused() -> None:
    data = _valid(holidays=[{"date": "2026-12-25"}, {"date": "2026-01-01"}, {"date": "2026-12-25"}])

    assert _only_problem(data) == (
        "holidays[2].date",
        "holidays[2].date: 2026-12-25 is already a holiday in holidays[0]",
    )


def test_a_calendar_that_is_never_open_is_refused() -> None:
    assert _only_problem(_valid(hours={})) == (
        "hours",
        "hours: the calendar is never open (give opening hours for at least one day, "
        "or set always_open to true)",
    )


def test_always_open_with_opening_hours_is_refused() -> None:
    assert _only_problem(_valid(always_open=True)) == (
        "hours",
        "hours: a calendar that is always open has no opening hours "
        "(remove hours or set always_open to false)",
    )


def test_always_open_with_holidays_is_refused() -> None:
    data = {"key": "k", "name": "N", "always_open": True, "holidays": [{"date": "2026-12-25"}]}

    assert _only_problem(data) == (
        "holidays",
        "holidays: a calendar that is always open has no holidays "
        "(remove holidays or set always_open to false)",
    )


@pytest.mark.parametrize("key", ["Jakarta Office", "jakarta_office", "-office", "", "x" * 65])
def test_key_must_be_a_slug(key: str) -> None:
    field, message = _only_problem(_valid(key=key))

    assert field == "key"
    assert message == (
        f"key: “{key}” is not a usable key (use lowercase letters, digits and hyphens, "
        "for example jakarta-office)"
    )


def test_name_must_not_be_empty() -> None:
    assert _only_problem(_valid(name="   ")) == ("name", "name: give the calendar a name")


def test_missing_and_unknown_fields_are_named() -> None:
    data = _valid(colour="blue")
    del data["name"]

    error = _refusal(data)

    assert error.field == "name"
    assert error.message == (
        "The calendar is not valid: name: this field is required; colour: “colour” is not a "
        "calendar field (the fields are key, name, time_zone, always_open, hours and holidays)"
    )


def test_wrong_shapes_are_named() -> None:
    error = _refusal(_valid(hours={"monday": "08:00-12:00"}, holidays={"date": "2026-12-25"}))

    assert error.message == (
        "The calendar is not valid: hours.monday: write a list here, for example "
        "[08:00-12:00, 13:00-17:00]; holidays: write a list here, for example "
        "[{date: 2026-12-25, name: Natal}]"
    )


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    error = _refusal(["08:00-12:00"])

    assert error.message == "A calendar must be a mapping of fields (key: value)."
    assert error.field is None


def test_every_problem_is_listed_in_one_message() -> None:
    data = {
        "key": "Kantor Pusat",
        "name": "Head office",
        "time_zone": "Mars/Base",
        "hours": {
            "monday": ["8am-5pm", "08:00-12:00", "11:00-14:00"],
            "tuesday": ["17:00-08:00"],
        },
        "holidays": [{"date": "25/12/2026"}, {"date": "2026-08-17"}, {"date": "2026-08-17"}],
    }

    error = _refusal(data)

    assert error.field == "key"
    problems = error.message.removeprefix("The calendar is not valid: ").split("; ")
    assert [problem.split(": ", 1)[0] for problem in problems] == [
        "key",
        "time_zone",
        "hours.monday[0]",
        "hours.tuesday[0]",
        "holidays[0].date",
        "hours.monday[2]",
        "holidays[2].date",
    ]


def test_a_document_from_a_calendar_reads_back_the_same_calendar() -> None:
    calendar = calendar_from_document(calendar_parse(yaml.safe_load(JAKARTA)))

    written = calendar_to_document("jakarta-office", "Jakarta office", calendar)

    assert written == {
        "key": "jakarta-office",
        "name": "Jakarta office",
        "time_zone": "Asia/Jakarta",
        "hours": {
            "monday": ["08:00-12:00", "13:00-17:00"],
            "tuesday": ["08:00-12:00", "13:00-17:00"],
            "saturday": ["09:00-13:00"],
        },
        "holidays": [{"date": "2026-08-17"}, {"date": "2026-12-25"}],
    }
    assert calendar_from_document(calendar_parse(written)) == calendar


def test_an_always_open_calendar_reads_back_the_same() -> None:
    calendar = BusinessCalendar.around_the_clock("Australia/Sydney")

    written = calendar_to_document("sydney", "Sydney", calendar)

    assert written == {
        "key": "sydney",
        "name": "Sydney",
        "time_zone": "Australia/Sydney",
        "always_open": True,
    }
    assert calendar_from_document(calendar_parse(written)) == calendar


def test_a_stored_document_reads_back_with_its_holiday_names() -> None:
    document = calendar_parse(yaml.safe_load(JAKARTA))

    stored = document.model_dump(mode="json")

    assert stored["holidays"][0] == {"date": "2026-12-25", "name": "Natal"}
    assert stored["hours"]["monday"] == ["08:00-12:00", "13:00-17:00"]
    assert calendar_parse(stored) == document


def test_a_document_built_in_code_is_checked_too() -> None:
    with pytest.raises(ValueError, match="overlaps"):
        CalendarDocument.model_validate(
            {"key": "k", "name": "N", "hours": {"monday": ["08:00-12:00", "09:00-10:00"]}}
        )


def test_always_open_written_as_text_is_still_refused_with_hours() -> None:
    assert _only_problem(_valid(always_open="yes")) == (
        "hours",
        "hours: a calendar that is always open has no opening hours "
        "(remove hours or set always_open to false)",
    )
