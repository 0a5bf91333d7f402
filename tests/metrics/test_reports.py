"""Reports: `sigap report` as CSV and PDF, and the weekly and monthly mail to managers."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from sigap.accounts.models import Team, User
from sigap.core.jobs import run_due_jobs
from sigap.metrics.models import ScheduledReport
from tests.metrics.desk import READ_AT, at, october_desk
from tests.smtp import smtp_server

pytestmark = pytest.mark.django_db


def _report(*args: str) -> str:
    out = io.StringIO()
    with time_machine.travel(READ_AT, tick=False):
        call_command("report", *args, stdout=out)
    return out.getvalue()


def test_the_csv_has_the_dashboards_numbers(
    team_a: Team, team_b: Team, agent: User, other_agent: User, capsys: Any
) -> None:
    october_desk(team_a, team_b, agent, other_agent)

    with time_machine.travel(READ_AT, tick=False):
        call_command("report", "--period", "2026-10", "--format", "csv")
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))

    assert rows[0] == ["Sigap report 2026-10 (2026-10-01 to 2026-10-31)"]
    values = {row[0]: row[2:5] for row in rows if len(row) == 6 and row[0] != "kpi"}
    assert values["first_response_time"] == ["4200.0", "1 h 10 min", "3"]
    assert values["csat"] == ["50.0", "50.0 %", "2"]
    assert values["retention"] == ["50.0", "50.0 %", "2"]
    assert values["sop_step_compliance"] == ["", "no data", "0"]
    assert values["backlog"] == ["2", "2", "2"]


def test_a_team_report_and_a_week(
    team_a: Team, team_b: Team, agent: User, other_agent: User, tmp_path: Path
) -> None:
    october_desk(team_a, team_b, agent, other_agent)
    target = tmp_path / "week.csv"

    _report("--period", "2026-W41", "--team", team_a.slug, "--output", str(target))

    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[1] == ["Slice", f"teams {team_a.pk}"]
    values = {row[0]: row[2] for row in rows if len(row) == 6}
    assert values["tickets_opened"] == "3"


def test_the_pdf_is_written_without_reading_anything_else(
    team_a: Team, team_b: Team, agent: User, other_agent: User, tmp_path: Path
) -> None:
    october_desk(team_a, team_b, agent, other_agent)
    target = tmp_path / "oktober.pdf"

    printed = _report("--period", "2026-10", "--format", "pdf", "--output", str(target))

    content = target.read_bytes()
    assert printed.strip() == str(target)
    assert content.startswith(b"%PDF-")
    assert b"/URI" not in content
    assert b"/XObject" not in content
    text = _pdf_text(content)
    assert "First response time: 1 h 10 min" in text


def _pdf_text(content: bytes) -> str:
    """The text a PDF viewer would show, from fpdf2's compressed content streams."""
    pieces = []
    for block in content.split(b"stream")[1:]:
        raw = block.split(b"endstream")[0].strip(b"\r\n")
        try:
            pieces.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(re.findall(r"\((.*?)\)\s*Tj", "".join(pieces)))


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ("2026-13", "There is no month 2026-13"),
        ("2026-W60", "There is no week 2026-W60"),
        ("oktober", "is not a period"),
    ],
)
def test_a_period_that_does_not_exist_fails_with_the_reason(period: str, words: str) -> None:
    with pytest.raises(CommandError, match=words):
        call_command("report", "--period", period)


def test_an_unknown_team_fails_with_the_reason(db: None) -> None:
    with pytest.raises(CommandError, match="Nothing is called gudang"):
        call_command("report", "--period", "2026-10", "--team", "gudang")


def test_managers_get_the_monthly_and_weekly_reports_once(
    team_a: Team, team_b: Team, agent: User, other_agent: User, manager: User, settings: Any
) -> None:
    # The desk was running before October ended: the executor had recorded its periods.
    with time_machine.travel(at(10, 30, 9), tick=False):
        run_due_jobs()
    october_desk(team_a, team_b, agent, other_agent)

    with smtp_server() as (port, received):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        with time_machine.travel(at(11, 3, 1), tick=False):  # Tuesday 3 November, 01:00
            run_due_jobs()
            run_due_jobs()

    reports = [m for m in received.messages if "desk report" in m["Subject"]]
    subjects = sorted(m["Subject"] for m in reports)
    assert subjects == ["Monthly desk report 2026-10", "Weekly desk report 2026-W44"]
    assert {m["To"] for m in reports} == {manager.email}
    monthly = next(m for m in reports if m["Subject"].startswith("Monthly"))
    attached = {part.get_filename(): part for part in monthly.walk() if part.get_filename()}
    assert set(attached) == {"sigap-2026-10.pdf", "sigap-2026-10.csv"}
    report_csv = attached["sigap-2026-10.csv"].get_payload(decode=True).decode()
    assert "first_response_time,First response time,4200.0" in report_csv
    assert ScheduledReport.objects.filter(period="2026-10", recipients=1).exists()


def test_the_command_exits_non_zero_on_a_period_that_does_not_exist(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGAP_")}
    env |= {
        "SIGAP_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "sigap.settings",
        "SIGAP_LANGUAGE": "en",
    }

    done = subprocess.run(  # noqa: S603 - our own command with fixed arguments
        [sys.executable, "-m", "sigap", "report", "--period", "2026-W54"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1
    assert "There is no week 2026-W54: that year has weeks 01 to 53." in done.stderr
    assert done.stdout == ""
