"""`sigap sla …`: response-time policies and business-hours calendars as YAML files."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sigap.accounts.models import Team
from sigap.core.errors import DomainError
from sigap.sla.configuration import (
    calendar_source_parse,
    sla_calendar_save,
    sla_defaults_install,
    sla_policy_save,
    sla_team_calendar_set,
)
from sigap.sla.models import Calendar, Policy
from sigap.sla.policy import policy_parse

T = TypeVar("T")


class Command(BaseCommand):
    help = "Response times: lint, import and export policies and calendars; set team calendars."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        lint = actions.add_parser("lint", help="Check policy or calendar files; exit 1 if bad.")
        lint.add_argument("paths", nargs="+", type=Path)
        policy = actions.add_parser("import-policy", help="Create or replace a policy.")
        policy.add_argument("path", type=Path)
        policy.add_argument("--team", help="Slug of the team the policy is for.")
        calendar = actions.add_parser("import-calendar", help="Create or replace a calendar.")
        calendar.add_argument("path", type=Path)
        export = actions.add_parser("export-policy", help="Print a policy's YAML.")
        export.add_argument("key")
        export_calendar = actions.add_parser("export-calendar", help="Print a calendar's YAML.")
        export_calendar.add_argument("key")
        follow = actions.add_parser("team-calendar", help="Set the calendar a team follows.")
        follow.add_argument("team", help="Team slug")
        follow.add_argument("calendar", help="Calendar key, or 'none' for around the clock")
        actions.add_parser("defaults", help="Install the standard policy and office calendar.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "lint":
            self._lint(options["paths"])
        elif action == "import-policy":
            team = _team(options["team"]) if options["team"] else None
            source = _read(options["path"])
            policy = _run(lambda: sla_policy_save(source=source, by=None, team=team))
            self.stdout.write(_("Saved policy %(key)s.") % {"key": policy.key})
        elif action == "import-calendar":
            source = _read(options["path"])
            calendar = _run(lambda: sla_calendar_save(source=source, by=None))
            self.stdout.write(_("Saved calendar %(key)s.") % {"key": calendar.key})
        elif action == "export-policy":
            row = Policy.objects.filter(key=options["key"]).first()
            if row is None:
                raise CommandError(_("No policy %(key)s.") % {"key": options["key"]})
            self.stdout.write(row.source, ending="")
        elif action == "export-calendar":
            found = Calendar.objects.filter(key=options["key"]).first()
            if found is None:
                raise CommandError(_("No calendar %(key)s.") % {"key": options["key"]})
            self.stdout.write(yaml.safe_dump(found.document, allow_unicode=True, sort_keys=False))
        elif action == "team-calendar":
            team = _team(options["team"])
            chosen = None
            if options["calendar"] != "none":
                chosen = Calendar.objects.filter(key=options["calendar"]).first()
                if chosen is None:
                    raise CommandError(_("No calendar %(key)s.") % {"key": options["calendar"]})
            _run(lambda: sla_team_calendar_set(team=team, calendar=chosen, by=None))
            self.stdout.write(
                _("%(team)s now follows %(calendar)s.")
                % {
                    "team": team.name,
                    "calendar": chosen.name if chosen else _("around the clock"),
                }
            )
        elif action == "defaults":
            installed = sla_defaults_install()
            self.stdout.write(", ".join(installed) or _("Nothing to install."))

    def _lint(self, paths: list[Path]) -> None:
        failed = False
        for path in paths:
            text = _read(path)
            # A calendar has opening hours (or is always open); anything else is a policy.
            is_calendar = re.search(r"^(hours|always_open)\s*:", text, re.MULTILINE)
            try:
                (calendar_source_parse if is_calendar else policy_parse)(text)
            except DomainError as problem:
                failed = True
                self.stderr.write(f"{path}: {problem.message}")
                continue
            self.stdout.write(f"{path}: " + _("valid"))
        if failed:
            raise CommandError(_("Some files are not valid."))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise CommandError(str(problem)) from problem


def _team(slug: str) -> Team:
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise CommandError(_("No team %(slug)s.") % {"slug": slug})
    return team


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except DomainError as problem:
        raise CommandError(problem.message) from problem
