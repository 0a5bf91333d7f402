"""Reads for staff: their follow-up and recovery tasks, and survey comments they may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sigap.accounts.models import User
from sigap.core.cursor import Page, paginate_asc, paginate_desc
from sigap.feedback.models import FollowUp, FollowUpState, RecoveryTask, Survey
from sigap.tickets import access

PAGE_SIZE = 50


def _visible(user: User, prefix: str = "ticket__") -> Q | None:
    condition = access.visibility_filter(user)
    if condition is None:
        return None
    return Q(**{f"{prefix}team_id__in": access.team_ids(user)}) | Q(
        **{f"{prefix}assignee_id": user.pk}
    )


def follow_ups_of(
    user: User, *, cursor: str | None = None, size: int = PAGE_SIZE
) -> Page[FollowUp]:
    """The user's follow-up tasks, scheduled and due, soonest first (an index range scan).

    Only on tickets they may still see: a ticket moved to another team keeps its follow-up's
    assignee, who must not read it from this list any more than from the ticket page."""
    rows: QuerySet[FollowUp] = FollowUp.objects.filter(
        assignee=user, state__in=[FollowUpState.SCHEDULED, FollowUpState.DUE]
    ).select_related("ticket", "ticket__customer")
    if not access.may_view_tickets(user):
        return Page(items=[], next_cursor=None)
    visible = _visible(user)
    if visible is not None:
        rows = rows.filter(visible)
    return paginate_asc(rows, field="due_at", cursor=cursor, size=size)


def recovery_tasks_of(user: User, *, size: int = PAGE_SIZE) -> list[RecoveryTask]:
    """Open recovery tasks assigned to the user, soonest first, on tickets they may still see
    (the survey's comment is the ticket's, and goes with it to another team)."""
    if not access.may_view_tickets(user):
        return []
    rows = RecoveryTask.objects.filter(assignee=user, done_at__isnull=True)
    visible = _visible(user)
    if visible is not None:
        rows = rows.filter(visible)
    return list(
        rows.select_related("ticket", "ticket__customer", "survey").order_by("due_at", "pk")[:size]
    )


def survey_comments(
    user: User,
    *,
    text: str = "",
    kind: str = "",
    low_only: bool = False,
    cursor: str | None = None,
    size: int | None = None,
) -> Page[Survey]:
    """Answered surveys with a comment on tickets the user may see, newest first."""
    if not access.may_view_tickets(user):
        return Page(items=[], next_cursor=None)
    rows = Survey.objects.filter(answered_at__isnull=False).exclude(comment="")
    visible = _visible(user)
    if visible is not None:
        rows = rows.filter(visible)
    if text:
        rows = rows.filter(comment__icontains=text)
    if kind:
        rows = rows.filter(kind=kind)
    if low_only:
        rows = rows.filter(Q(kind="csat", score__lte=2) | Q(kind="nps", score__lte=6))
    rows = rows.select_related("ticket", "ticket__customer")
    return paginate_desc(rows, field="answered_at", cursor=cursor, size=size or PAGE_SIZE)
