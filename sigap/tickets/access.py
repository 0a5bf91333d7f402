"""Who may see which tickets. Every view, API call and socket subscription asks here."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core.errors import NotFound
from sigap.tickets.models import Ticket


def has_wide_access(user: User) -> bool:
    return user.has_perm("tickets.view_all_tickets")


def team_ids(user: User) -> list[int]:
    cached: list[int] | None = getattr(user, "_sigap_team_ids", None)
    if cached is None:
        cached = list(user.teams.values_list("id", flat=True))
        user._sigap_team_ids = cached  # type: ignore[attr-defined]
    return cached


def visibility_filter(user: User) -> Q | None:
    """The condition on tickets this user may see; None means every ticket."""
    if has_wide_access(user):
        return None
    return Q(team_id__in=team_ids(user)) | Q(assignee_id=user.pk)


def may_view_tickets(user: User) -> bool:
    return user.is_active and user.has_perm("tickets.view_ticket")


def visible_tickets(user: User) -> QuerySet[Ticket]:
    if not may_view_tickets(user):
        return Ticket.objects.none()
    condition = visibility_filter(user)
    tickets = Ticket.objects.all()
    return tickets if condition is None else tickets.filter(condition)


def can_see(user: User, ticket: Ticket) -> bool:
    if not may_view_tickets(user):
        return False
    if has_wide_access(user):
        return True
    return ticket.assignee_id == user.pk or ticket.team_id in team_ids(user)


def can_work_on(user: User, ticket: Ticket) -> bool:
    """Whether this user may change the ticket: answer it, move it, tick off its steps."""
    return user.has_perm("tickets.change_ticket") and can_see(user, ticket)


def ticket_for(user: User, pk: int) -> Ticket:
    """The ticket if this user may see it. Otherwise NotFound, so its existence is not told."""
    ticket = (
        Ticket.objects.select_related("customer", "team", "assignee", "category")
        .filter(pk=pk)
        .first()
    )
    if ticket is None or not can_see(user, ticket):
        raise NotFound(_("No ticket %(pk)s, or you may not see it.") % {"pk": pk})
    return ticket


def realtime_groups(ticket: Ticket) -> list[str]:
    groups = ["tickets.all"]
    if ticket.team_id is not None:
        groups.append(f"tickets.team.{ticket.team_id}")
    if ticket.assignee_id is not None:
        groups.append(f"tickets.user.{ticket.assignee_id}")
    return groups


def access_group(user_id: int) -> str:
    """The group of a person's open sockets, told when what they may see has changed."""
    return f"access.user.{user_id}"


def subscription_groups(user: User) -> list[str]:
    """The live-update groups a signed-in user may join: exactly what they may see."""
    if not may_view_tickets(user):
        return []
    if has_wide_access(user):
        return ["tickets.all"]
    return [f"tickets.team.{pk}" for pk in team_ids(user)] + [f"tickets.user.{user.pk}"]
