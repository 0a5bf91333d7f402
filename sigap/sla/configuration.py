"""Which policy and which business calendar apply to a team, and writing them as data."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TypeVar

import yaml
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sigap.accounts.models import Team, User
from sigap.core import clock
from sigap.core.brief_cache import BriefCache
from sigap.core.errors import InvalidInput, NotAllowed
from sigap.sla.calendar import BusinessCalendar
from sigap.sla.calendar_document import CalendarDocument, calendar_from_document, calendar_parse
from sigap.sla.models import Calendar, Policy, TeamCalendar
from sigap.sla.policy import PolicyDocument, policy_dump, policy_parse

T = TypeVar("T")
LIBRARY_DIR = Path(__file__).resolve().parent / "library"
DEFAULT_POLICY_FILE = LIBRARY_DIR / "standard.yaml"
DEFAULT_CALENDAR_FILE = LIBRARY_DIR / "jakarta-office.yaml"


@functools.cache
def bundled_policy() -> PolicyDocument:
    """The shipped standard, used when the desk has no policy row at all."""
    return policy_parse(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))


# Which policy and calendar a team has: a change made here clears the answers at once.
_policies: BriefCache[int | None, PolicyDocument] = BriefCache()
_calendars: BriefCache[int | None, BusinessCalendar] = BriefCache()


def cache_clear() -> None:
    _policies.clear()
    _calendars.clear()


def policy_for_team(team_id: int | None) -> PolicyDocument:
    """The team's own policy, else the desk's default, else the shipped standard."""
    return _policies.get(team_id, lambda: _policy_for_team(team_id))


def _policy_for_team(team_id: int | None) -> PolicyDocument:
    rows = Policy.objects.filter(
        Q(team_id=team_id) | Q(is_default=True) if team_id else Q(is_default=True)
    )
    chosen = min(
        rows.only("document", "team_id"), key=lambda row: row.team_id is None, default=None
    )
    if chosen is None:
        return bundled_policy()
    return PolicyDocument.model_validate(chosen.document)


def calendar_for_team(team_id: int | None) -> BusinessCalendar:
    """The team's business hours; a team without a calendar is served around the clock."""
    return _calendars.get(team_id, lambda: _calendar_for_team(team_id))


def _calendar_for_team(team_id: int | None) -> BusinessCalendar:
    if team_id is not None:
        link = TeamCalendar.objects.filter(team_id=team_id).select_related("calendar").first()
        if link is not None:
            return calendar_from_document(calendar_parse(link.calendar.document))
    return BusinessCalendar.around_the_clock()


def _check_can_configure(by: User | None) -> None:
    if by is not None and not by.has_perm("sla.change_policy"):
        raise NotAllowed(_("Only administrators may change response-time policies."))


def sla_policy_save(*, source: str, by: User | None, team: Team | None = None) -> Policy:
    """Create or replace the policy with the document's key. Running tickets keep their
    targets: they were copied into the tickets' timers when those started."""
    _check_can_configure(by)
    document = policy_parse(source)
    with transaction.atomic():
        policy = Policy.objects.select_for_update().filter(key=document.key).first()
        if policy is None:
            policy = Policy(key=document.key, is_default=team is None and _no_default())
        policy.name = document.name
        policy.team = team if team is not None else policy.team
        policy.document = policy_dump(document)
        policy.source = source
        policy.updated_at = clock.now()
        policy.save()
    cache_clear()
    return policy


def _no_default() -> bool:
    return not Policy.objects.filter(is_default=True).exists()


def calendar_source_parse(source: str) -> CalendarDocument:
    """A calendar written as YAML, checked; InvalidInput names what is wrong."""
    try:
        data = yaml.safe_load(source)
    except (yaml.YAMLError, ValueError) as problem:
        # PyYAML raises a bare ValueError for an impossible date such as 2026-13-01.
        raise InvalidInput(
            _("The calendar is not valid YAML: %(problem)s") % {"problem": problem}
        ) from problem
    return calendar_parse(data)


def sla_calendar_save(*, source: str, by: User | None) -> Calendar:
    _check_can_configure(by)
    document = calendar_source_parse(source)
    with transaction.atomic():
        calendar, _created = Calendar.objects.update_or_create(
            key=document.key,
            defaults={
                "name": document.name,
                "document": document.model_dump(mode="json"),
                "updated_at": clock.now(),
            },
        )
    cache_clear()
    return calendar


def sla_team_calendar_set(*, team: Team, calendar: Calendar | None, by: User | None) -> None:
    _check_can_configure(by)
    if calendar is None:
        TeamCalendar.objects.filter(team=team).delete()
    else:
        TeamCalendar.objects.update_or_create(team=team, defaults={"calendar": calendar})
    cache_clear()


def sla_defaults_install() -> list[str]:
    """Install the bundled standard policy and office calendar on first start. A node starting
    at the same moment may install them first, as sop_library_install allows for."""
    installed = []
    try:
        if not Policy.objects.exists():
            with transaction.atomic():
                sla_policy_save(source=DEFAULT_POLICY_FILE.read_text(encoding="utf-8"), by=None)
            installed.append("policy:standard")
    except IntegrityError:
        pass  # the other node's policy stands
    try:
        if not Calendar.objects.exists():
            with transaction.atomic():
                calendar = sla_calendar_save(
                    source=DEFAULT_CALENDAR_FILE.read_text(encoding="utf-8"), by=None
                )
            installed.append(f"calendar:{calendar.key}")
    except IntegrityError:
        pass  # the other node's calendar stands
    return installed
