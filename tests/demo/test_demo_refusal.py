"""`sigap demo` on a desk in use: nothing of the demo mixes with real tickets."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from sigap.accounts.models import Role, Team, User
from sigap.tickets.models import Ticket
from tests.factories import make_ticket, make_user


@pytest.mark.django_db
def test_a_desk_with_tickets_of_its_own_is_left_alone(team_a: Team) -> None:
    make_ticket(team=team_a)
    out, err = StringIO(), StringIO()

    call_command("demo", tickets=10, stdout=out, stderr=err)

    assert "already has tickets" in err.getvalue()
    assert "Password" not in out.getvalue()
    assert Ticket.objects.count() == 1
    assert not Team.objects.filter(name="Korporat / B2B").exists()


@pytest.mark.django_db
def test_a_desk_whose_people_hold_the_demo_names_is_left_alone(team_a: Team) -> None:
    make_user("sari", Role.AGENT, [team_a])
    err = StringIO()

    call_command("demo", tickets=10, stdout=StringIO(), stderr=err)

    assert "The demo needs the usernames sari, which are already in use." in err.getvalue()
    assert list(User.objects.values_list("username", flat=True)) == ["sari"]


@pytest.mark.django_db
def test_a_production_desk_never_gets_the_demos_published_password(settings: Any) -> None:
    settings.HTTPS = True
    out, err = StringIO(), StringIO()

    call_command("demo", tickets=10, stdout=out, stderr=err)

    assert "set up for production" in err.getvalue()
    assert not User.objects.exists()
    assert Ticket.objects.count() == 0
