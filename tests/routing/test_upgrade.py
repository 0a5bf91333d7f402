"""Upgrading a desk: teams that existed before routing was on by default get their switch set
from what the desk has done so far."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from sigap.accounts.models import Team
from sigap.routing.models import TeamRouting
from tests import factories

pytestmark = pytest.mark.django_db
migration = import_module("sigap.routing.migrations.0002_team_routing_for_every_team")


def _teams_without_routing(*names: str) -> list[Team]:
    teams = [factories.make_team(name) for name in names]
    TeamRouting.objects.filter(team__in=teams).delete()  # as before the upgrade
    return teams


def test_a_desk_without_tickets_routes_every_team_after_the_upgrade() -> None:
    retail, corporate = _teams_without_routing("Retail", "Korporat")

    migration.forwards(apps, None)

    assert TeamRouting.objects.get(team=retail).is_enabled
    assert TeamRouting.objects.get(team=corporate).is_enabled


def test_a_working_desk_keeps_assigning_by_hand_until_an_admin_turns_routing_on() -> None:
    retail, corporate = _teams_without_routing("Retail", "Korporat")
    chosen = factories.make_team("Malam", routes=True)  # routed before the upgrade
    factories.make_ticket(team=retail)

    migration.forwards(apps, None)

    assert not TeamRouting.objects.get(team=retail).is_enabled
    assert not TeamRouting.objects.get(team=corporate).is_enabled
    assert TeamRouting.objects.get(team=chosen).is_enabled
