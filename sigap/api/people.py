"""The caller, and the teams, agents and categories a client offers as choices."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from sigap.accounts.models import Team, User
from sigap.accounts.selectors import agents_list, teams_list, user_roles
from sigap.api.auth import caller
from sigap.api.errors import problems
from sigap.api.schemas.common import Id
from sigap.api.schemas.people import AgentOut, CategoryOut, MeOut, Permissions, TeamOut
from sigap.tickets import access
from sigap.tickets.models import Category
from sigap.tickets.selectors import categories_active

router = Router(tags=["people"])


def team_out(team: Team) -> TeamOut:
    return TeamOut(id=team.pk, name=team.name, slug=team.slug)


def category_out(category: Category) -> CategoryOut:
    return CategoryOut(id=category.pk, name=category.name, slug=category.slug)


@router.get("/me", response={200: MeOut, **problems()}, summary="Who am I")
def me(request: HttpRequest) -> MeOut:
    user = caller(request)
    return MeOut(
        id=user.pk,
        username=user.username,
        name=user.display_name,
        email=user.email,
        language=user.language,
        roles=user_roles(user),
        teams=[team_out(team) for team in user.teams.order_by("name")],
        permissions=Permissions(
            create_tickets=user.has_perm("tickets.add_ticket"),
            work_tickets=user.has_perm("tickets.change_ticket"),
            see_all_tickets=access.has_wide_access(user),
            assign_any_agent=user.has_perm("tickets.assign_any_agent"),
            add_customers=user.has_perm("customers.add_customer"),
            change_customers=user.has_perm("customers.change_customer"),
            merge_customers=user.has_perm("customers.merge_customers"),
        ),
    )


@router.get("/teams", response={200: list[TeamOut], **problems()}, summary="Teams")
def teams(request: HttpRequest) -> list[TeamOut]:
    return [team_out(team) for team in teams_list()]


@router.get(
    "/categories", response={200: list[CategoryOut], **problems()}, summary="Categories in use"
)
def categories(request: HttpRequest) -> list[CategoryOut]:
    return [category_out(category) for category in categories_active()]


def agent_out(user: User) -> AgentOut:
    return AgentOut(
        id=user.pk,
        username=user.username,
        name=user.display_name,
        team_ids=sorted(team.pk for team in user.teams.all()),
    )


@router.get(
    "/agents",
    response={200: list[AgentOut], **problems(400)},
    summary="People who can work tickets",
)
def agents(request: HttpRequest, team: Query[Id | None] = None) -> list[AgentOut]:
    """Active users who may be assigned tickets; `team` keeps only that team's members."""
    return [agent_out(user) for user in agents_list(team_id=team)]
