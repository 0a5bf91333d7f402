from __future__ import annotations

import pytest

from sigap.accounts.models import Team, User
from sigap.core.errors import NotAllowed
from sigap.tickets.models import Ticket
from sigap.tickets.services import ticket_assign, ticket_change_team


def test_agent_assigns_a_teammate(agent: User, teammate: User, ticket: Ticket) -> None:
    ticket_assign(ticket=ticket, by=agent, assignee=teammate)

    ticket.refresh_from_db()
    assert ticket.assignee == teammate
    event = ticket.events.get(kind="assignee_changed")
    assert event.data == {"from": None, "to": "Budi", "to_id": teammate.pk}


def test_agent_cannot_hand_a_ticket_to_another_teams_agent(
    agent: User, outsider: User, ticket: Ticket
) -> None:
    with pytest.raises(NotAllowed, match="not in this ticket's team"):
        ticket_assign(ticket=ticket, by=agent, assignee=outsider)

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert not ticket.events.filter(kind="assignee_changed").exists()


def test_supervisor_may_assign_across_teams(
    supervisor: User, outsider: User, ticket: Ticket
) -> None:
    ticket_assign(ticket=ticket, by=supervisor, assignee=outsider)

    ticket.refresh_from_db()
    assert ticket.assignee == outsider


def test_moving_to_another_team_unassigns_an_agent_outside_it(
    agent: User, team_b: Team, ticket: Ticket
) -> None:
    ticket_assign(ticket=ticket, by=agent, assignee=agent)

    ticket_change_team(ticket=ticket, by=agent, team=team_b)

    ticket.refresh_from_db()
    assert ticket.team == team_b
    assert ticket.assignee is None
    kinds = list(ticket.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[-2:] == ["team_changed", "assignee_changed"]


def test_agent_loses_sight_of_a_ticket_moved_away(
    agent: User, outsider: User, team_b: Team, ticket: Ticket
) -> None:
    ticket_change_team(ticket=ticket, by=agent, team=team_b)

    ticket.refresh_from_db()
    with pytest.raises(NotAllowed):
        ticket_assign(ticket=ticket, by=agent, assignee=agent)
    ticket_assign(ticket=ticket, by=outsider, assignee=outsider)
