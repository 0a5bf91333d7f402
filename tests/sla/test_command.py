"""`sigap sla`: policies and calendars as files, checked before they are used."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sigap.accounts.models import Team
from sigap.sla.configuration import DEFAULT_CALENDAR_FILE, DEFAULT_POLICY_FILE, policy_for_team
from sigap.sla.models import Policy, TeamCalendar

pytestmark = pytest.mark.django_db


def test_lint_passes_the_bundled_files_and_fails_a_broken_one(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        DEFAULT_POLICY_FILE.read_text().replace("first_response: 1m", "first_response: 0m")
    )
    out, err = StringIO(), StringIO()

    call_command("sla", "lint", str(DEFAULT_POLICY_FILE), str(DEFAULT_CALENDAR_FILE), stdout=out)
    with pytest.raises(CommandError):
        call_command("sla", "lint", str(broken), stdout=out, stderr=err)

    assert out.getvalue().count("valid") >= 2
    assert "targets[0].first_response" in err.getvalue()


def test_a_team_gets_its_own_policy_and_calendar(
    tmp_path: Path, team_a: Team, team_b: Team
) -> None:
    own = tmp_path / "vip.yaml"
    own.write_text(
        DEFAULT_POLICY_FILE.read_text()
        .replace("key: standard", "key: vip-desk")
        .replace("first_response: 1m", "first_response: 30s")
    )
    call_command("sla", "defaults", stdout=StringIO())
    call_command("sla", "import-policy", str(own), "--team", team_a.slug, stdout=StringIO())
    call_command("sla", "team-calendar", team_a.slug, "jakarta-office", stdout=StringIO())

    chat_a = policy_for_team(team_a.pk).target_for("chat", "normal")
    chat_b = policy_for_team(team_b.pk).target_for("chat", "normal")
    assert chat_a is not None
    assert chat_a.first_response == 30
    assert chat_b is not None
    assert chat_b.first_response == 60
    assert TeamCalendar.objects.get(team=team_a).calendar.key == "jakarta-office"
    assert Policy.objects.get(key="vip-desk").team == team_a

    out = StringIO()
    call_command("sla", "export-policy", "vip-desk", stdout=out)
    assert "first_response: 30s" in out.getvalue()


def test_an_unknown_team_or_calendar_is_refused(team_a: Team) -> None:
    with pytest.raises(CommandError, match="No team"):
        call_command("sla", "team-calendar", "nope", "jakarta-office")
    with pytest.raises(CommandError, match="No calendar"):
        call_command("sla", "team-calendar", team_a.slug, "nope")


def test_lint_reports_an_impossible_holiday_date_instead_of_crashing(tmp_path: Path) -> None:
    calendar = tmp_path / "office.yaml"
    calendar.write_text(DEFAULT_CALENDAR_FILE.read_text().replace("2026-12-25", "2026-13-25"))
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("sla", "lint", str(calendar), stdout=StringIO(), stderr=err)

    assert "The calendar is not valid YAML" in err.getvalue()
