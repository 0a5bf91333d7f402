from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from sigap.accounts.models import Team, User
from sigap.core.errors import NotFound
from sigap.tickets.access import subscription_groups, ticket_for, visible_tickets
from tests.factories import make_ticket


@pytest.fixture
def two_tickets(team_a: Team, team_b: Team) -> tuple[int, int]:
    return make_ticket(team=team_a).pk, make_ticket(team=team_b).pk


def test_agent_sees_only_their_teams_tickets(agent: User, two_tickets: tuple[int, int]) -> None:
    mine, theirs = two_tickets

    assert list(visible_tickets(agent).values_list("pk", flat=True)) == [mine]
    assert ticket_for(agent, mine).pk == mine
    with pytest.raises(NotFound):
        ticket_for(agent, theirs)


def test_manager_sees_every_team(manager: User, two_tickets: tuple[int, int]) -> None:
    assert set(visible_tickets(manager).values_list("pk", flat=True)) == set(two_tickets)
    assert subscription_groups(manager) == ["tickets.all"]


def test_agent_given_wider_access_sees_every_team(
    agent: User, two_tickets: tuple[int, int]
) -> None:
    agent.user_permissions.add(Permission.objects.get(codename="view_all_tickets"))
    agent = User.objects.get(pk=agent.pk)  # permissions are cached per object

    assert set(visible_tickets(agent).values_list("pk", flat=True)) == set(two_tickets)


def test_an_assignee_outside_the_team_still_sees_their_ticket(outsider: User, team_a: Team) -> None:
    ticket = make_ticket(team=team_a, assignee=outsider)

    assert ticket_for(outsider, ticket.pk).pk == ticket.pk
    assert subscription_groups(outsider)[-1] == f"tickets.user.{outsider.pk}"


def test_inactive_user_sees_nothing(agent: User, two_tickets: tuple[int, int]) -> None:
    agent.is_active = False
    agent.save()

    assert not visible_tickets(agent).exists()
    assert subscription_groups(agent) == []
