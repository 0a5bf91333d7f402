"""Who answers for a ticket at a level of the ladder."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from sigap.accounts.models import Role, User
from sigap.tickets.models import ACTIVE_STATUSES, Ticket


def people_in_role(role: str, team_id: int | None) -> QuerySet[User]:
    """Active holders of `role` in the ticket's team; managers answer for every team."""
    people = User.objects.filter(is_active=True, groups__name=role)
    if role != Role.MANAGER and team_id is not None:
        in_team = people.filter(teams__id=team_id)
        if in_team.exists():
            people = in_team
    return people.distinct()


def responsible_people(ticket: Ticket, role: str) -> list[User]:
    """The people to alert: the assignee at the agent level, else the role's holders."""
    if role == Role.AGENT:
        if ticket.assignee_id is not None and ticket.assignee is not None:
            return [ticket.assignee]
        role = Role.SUPERVISOR
    return list(people_in_role(role, ticket.team_id).order_by("pk"))


def least_loaded(role: str, team_id: int | None) -> User | None:
    """The holder of `role` with the fewest active tickets, to take over an escalated one."""
    return (
        people_in_role(role, team_id)
        .annotate(
            load=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=ACTIVE_STATUSES))
        )
        .order_by("load", "pk")
        .first()
    )
