"""Feedback endpoints: a ticket's surveys and follow-ups, the caller's follow-up tasks,
recording a follow-up's result, and the survey comments the caller may see."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import P, QueryEx, Router, Schema

from sigap.api.auth import caller
from sigap.api.errors import problems
from sigap.api.present import user_ref
from sigap.api.schemas.common import Input, PageOf, PathId, Ref, Text
from sigap.core.errors import InvalidInput
from sigap.feedback.followups import follow_up_record
from sigap.feedback.models import FollowUp, Survey
from sigap.feedback.selectors import follow_ups_of, survey_comments
from sigap.tickets import access

router = Router(tags=["feedback"])


class SurveyOut(Schema):
    id: int
    ticket: Ref
    kind: str
    channel: str
    sent_at: datetime
    expires_at: datetime
    score: int | None
    comment: str
    answered_at: datetime | None


class FollowUpOut(Schema):
    id: int
    ticket: Ref
    mode: str
    state: str
    due_at: datetime
    fired_at: datetime | None
    assignee: Ref | None
    result: str
    result_at: datetime | None
    note: str


class TicketFeedbackOut(Schema):
    surveys: list[SurveyOut]
    follow_ups: list[FollowUpOut]


class FollowUpPage(PageOf):
    items: list[FollowUpOut]


class SurveyPage(PageOf):
    items: list[SurveyOut]


class FollowUpResultIn(Input):
    result: Literal["satisfied", "problem_continues", "no_answer"]
    note: Text = ""


def _survey_out(survey: Survey) -> SurveyOut:
    return SurveyOut(
        id=survey.pk,
        ticket=Ref(id=survey.ticket_id, name=survey.ticket.reference),
        kind=survey.kind,
        channel=survey.channel,
        sent_at=survey.sent_at,
        expires_at=survey.expires_at,
        score=survey.score,
        comment=survey.comment,
        answered_at=survey.answered_at,
    )


def _follow_up_out(follow_up: FollowUp) -> FollowUpOut:
    return FollowUpOut(
        id=follow_up.pk,
        ticket=Ref(id=follow_up.ticket_id, name=follow_up.ticket.reference),
        mode=follow_up.mode,
        state=follow_up.state,
        due_at=follow_up.due_at,
        fired_at=follow_up.fired_at,
        assignee=user_ref(follow_up.assignee),
        result=follow_up.result,
        result_at=follow_up.result_at,
        note=follow_up.note,
    )


@router.get(
    "/tickets/{ticket_id}/feedback",
    response={200: TicketFeedbackOut, **problems(404)},
    summary="A ticket's surveys and follow-ups",
)
def ticket_feedback(request: HttpRequest, ticket_id: PathId) -> TicketFeedbackOut:
    ticket = access.ticket_for(caller(request), ticket_id)
    surveys = Survey.objects.filter(ticket=ticket).select_related("ticket").order_by("kind")
    follow_ups = (
        FollowUp.objects.filter(ticket=ticket)
        .select_related("ticket", "assignee")
        .order_by("created_at", "pk")
    )
    return TicketFeedbackOut(
        surveys=[_survey_out(s) for s in surveys],
        follow_ups=[_follow_up_out(f) for f in follow_ups],
    )


@router.get(
    "/follow-ups",
    response={200: FollowUpPage, **problems(400)},
    summary="My follow-up tasks, soonest first",
)
def my_follow_ups(
    request: HttpRequest,
    cursor: Text | None = None,
    size: QueryEx[int, P(ge=1, le=200)] = 50,
) -> FollowUpPage:
    """Scheduled and due follow-ups assigned to the caller, paged by key-set on (due_at, id)."""
    page = follow_ups_of(caller(request), cursor=cursor, size=size)
    return FollowUpPage(items=[_follow_up_out(f) for f in page.items], next_cursor=page.next_cursor)


@router.post(
    "/follow-ups/{follow_up_id}/result",
    response={200: FollowUpOut, **problems(400, 403, 404, 409)},
    summary="Record how a follow-up went",
)
def follow_up_result(
    request: HttpRequest, follow_up_id: PathId, payload: FollowUpResultIn
) -> FollowUpOut:
    """`problem_continues` reopens a resolved ticket. The result goes on the timeline."""
    follow_up = follow_up_record(
        follow_up_id=follow_up_id, by=caller(request), result=payload.result, note=payload.note
    )
    return _follow_up_out(follow_up)


@router.get(
    "/surveys/comments",
    response={200: SurveyPage, **problems(400)},
    summary="Answered survey comments on tickets I may see, newest first",
)
def comments(
    request: HttpRequest,
    q: Text | None = None,
    kind: Literal["csat", "nps"] | None = None,
    low: bool = False,
    cursor: Text | None = None,
    size: QueryEx[int, P(ge=1, le=200)] = 50,
) -> SurveyPage:
    """`q` searches the comment text; `low` keeps CSAT ≤ 2 and NPS ≤ 6 only."""
    text = (q or "").strip()
    if len(text) > 200:
        raise InvalidInput(_("Search for at most 200 characters."), field="q")
    page = survey_comments(
        caller(request), text=text, kind=kind or "", low_only=low, cursor=cursor, size=size
    )
    return SurveyPage(items=[_survey_out(s) for s in page.items], next_cursor=page.next_cursor)
