"""Reads: teams, the people who can work tickets, and the roles a user holds."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sigap.accounts.models import Invitation, Role, Team, User
from sigap.core import clock


def teams_list() -> list[Team]:
    return list(Team.objects.order_by("name"))


def _can_work_tickets() -> Q:
    # Mirrors ModelBackend.has_perm("tickets.change_ticket") in one query instead of one per user.
    granted = {
        "permissions__content_type__app_label": "tickets",
        "permissions__codename": "change_ticket",
    }
    return (
        Q(is_superuser=True)
        | Q(**{f"groups__{key}": value for key, value in granted.items()})
        | Q(**{f"user_{key}": value for key, value in granted.items()})
    )


def agents_list(*, team_id: int | None = None) -> QuerySet[User]:
    """Active people who may be assigned tickets, optionally only the members of one team."""
    users = User.objects.filter(is_active=True).filter(_can_work_tickets())
    if team_id is not None:
        users = users.filter(teams__id=team_id)
    ids = users.values("pk")
    return (
        User.objects.filter(pk__in=ids)
        .prefetch_related("teams")
        .order_by("first_name", "last_name", "username")
    )


def user_roles(user: User) -> list[str]:
    """The roles `user` holds, most powerful last."""
    held = set(user.groups.values_list("name", flat=True))
    return [role.value for role in Role if role.value in held]


def invitations_open() -> QuerySet[Invitation]:
    """Invitations not accepted yet whose link still works, newest first."""
    return (
        Invitation.objects.filter(accepted_at__isnull=True, expires_at__gt=clock.now())
        .select_related("created_by")
        .prefetch_related("teams")
        .order_by("-created_at")
    )
