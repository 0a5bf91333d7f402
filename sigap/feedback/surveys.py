"""CSAT and NPS surveys: sent after resolution, answered through a signed link, acted upon."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from sigap.core import clock
from sigap.core.errors import Conflict, InvalidInput, NotFound
from sigap.core.jobs import job_enqueue
from sigap.customers.models import IdentityKind
from sigap.feedback.links import survey_url
from sigap.feedback.models import SCORE_RANGE, Survey, SurveyKind
from sigap.feedback.plans import survey_plan
from sigap.feedback.wording import survey_message
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import Channel, Status, Ticket

SEND_SURVEYS = "feedback_send_surveys"
# Channels where the desk sends the link itself; live chat asks in the chat as it ends.
SENT_CHANNELS = (Channel.EMAIL, Channel.SOCIAL, Channel.CHAT)
COMMENT_MAX_CHARS = 2000


def survey_delay() -> timedelta:
    """How long after resolution the survey goes out: long enough to see the fix work."""
    return timedelta(minutes=int(getattr(settings, "FEEDBACK_SURVEY_DELAY_MINUTES", 60)))


def surveys_schedule(*, ticket: Ticket, at: datetime) -> None:
    """A ticket was resolved: send its surveys a little later (a job row, same transaction)."""
    if ticket.channel not in SENT_CHANNELS:
        return
    job_enqueue(
        kind=SEND_SURVEYS,
        payload={"ticket": ticket.pk},
        # A chat visitor is still on the page when the chat ends; later they have gone.
        due_at=at if ticket.channel == Channel.CHAT else at + survey_delay(),
        idempotency_key=f"surveys:{ticket.pk}:{at.isoformat()}",
    )


def _open_survey(ticket: Ticket, kind: SurveyKind, channel: str, now: datetime) -> Survey:
    """The ticket's survey of this kind, made now or made valid again if it ran out unanswered."""
    days = survey_plan(ticket).valid_days
    survey, created = Survey.objects.get_or_create(
        ticket=ticket,
        kind=kind,
        defaults={
            "sent_at": now,
            "expires_at": now + timedelta(days=days),
            "channel": channel,
        },
    )
    if not created and survey.answered_at is None and survey.expires_at <= now:
        survey.sent_at, survey.expires_at = now, now + timedelta(days=days)
        survey.save(update_fields=["sent_at", "expires_at"])
    return survey


def surveys_send(*, ticket_id: int) -> list[Survey]:
    """Send the SOP's surveys on the ticket's channel, unless it was reopened meanwhile or
    the customer was already asked. Runs in the job's transaction."""
    from sigap.tickets.services import ticket_lock_for_work, ticket_notify_customer

    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id).first()
    if ticket is None:
        return []
    locked = ticket_lock_for_work(ticket=ticket, by=None)
    plan = survey_plan(locked)
    if locked.status not in (Status.RESOLVED, Status.CLOSED):
        return []
    if locked.channel not in plan.channels or locked.channel not in SENT_CHANNELS:
        return []
    if (
        ticket.channel == Channel.EMAIL
        and not ticket.customer.identities.filter(kind=IdentityKind.EMAIL).exists()
    ):
        return []  # nowhere to mail it: no survey counted as sent
    asked = set(Survey.objects.filter(ticket=locked).values_list("kind", flat=True))
    kinds = [SurveyKind(kind) for kind in plan.kinds if kind not in asked]
    if not kinds:
        return []
    now = clock.now()
    surveys = [_open_survey(locked, kind, locked.channel, now) for kind in kinds]
    locked.customer = ticket.customer
    message = ticket_notify_customer(
        ticket=locked,
        body=survey_message(locked, [(s, survey_url(s.pk)) for s in surveys], plan.valid_days),
        at=now,
    )
    event_record(
        ticket=locked,
        kind=EventKind.SURVEY_SENT,
        at=now,
        message=message,
        data={"kinds": [s.kind for s in surveys], "channel": locked.channel},
    )
    return surveys


def survey_link(*, ticket: Ticket, kind: str, channel: str = Channel.CHAT) -> str:
    """The signed link to the ticket's CSAT or NPS question, for a channel that shows links
    itself (live chat at the end of a conversation, a social reply written by hand).

    The survey row is made on first call; later calls give a link to the same row, so the
    customer answers once per ticket whichever link they use. Call inside a transaction or
    on its own; the link works for the SOP's `surveys.valid_days`.
    """
    try:
        chosen = SurveyKind(kind)
    except ValueError:
        raise InvalidInput(_("A survey is csat or nps."), field="kind") from None
    with transaction.atomic():
        survey = _open_survey(ticket, chosen, channel, clock.now())
    return survey_url(survey.pk)


def _clean_score(kind: SurveyKind, score: object) -> int:
    low, high = SCORE_RANGE[kind]
    try:
        value = int(str(score).strip())
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise InvalidInput(
            _("Choose a score from %(low)d to %(high)d.") % {"low": low, "high": high},
            field="score",
        )
    return value


def _clean_comment(comment: str) -> str:
    comment = comment.strip()
    if "\x00" in comment:
        # PostgreSQL cannot store a NUL character; say so instead of failing on save.
        raise InvalidInput(
            _("The comment contains a character that cannot be saved."), field="comment"
        )
    if len(comment) > COMMENT_MAX_CHARS:
        raise InvalidInput(
            _("The comment is longer than %(max)d characters.") % {"max": COMMENT_MAX_CHARS},
            field="comment",
        )
    return comment


def survey_for_answer(survey_id: int) -> Survey:
    """The survey a link names, if it may still be answered."""
    survey = Survey.objects.select_related("ticket", "ticket__customer").filter(pk=survey_id)
    found = survey.first()
    if found is None:
        raise NotFound(_("This survey link is not valid."))
    if found.expires_at <= clock.now():
        raise Conflict(_("This survey has closed. Thank you all the same."))
    return found


def survey_answer(*, survey_id: int, score: object, comment: str = "") -> Survey:
    """Record the customer's answer. Answering again changes the same answer, never adds one."""
    from sigap.feedback.acting import feedback_act_on_answer

    with transaction.atomic():
        survey = survey_for_answer(survey_id)
        value = _clean_score(SurveyKind(survey.kind), score)
        comment = _clean_comment(comment)
        survey = (
            Survey.objects.select_for_update().select_related("ticket__customer").get(pk=survey.pk)
        )
        if survey.answered_at is not None and (survey.score, survey.comment) == (value, comment):
            return survey  # the same answer sent twice: nothing changed
        now = clock.now()
        previous = survey.score
        survey.score, survey.comment, survey.answered_at = value, comment, now
        survey.save(update_fields=["score", "comment", "answered_at"])
        event_record(
            ticket=survey.ticket,
            kind=EventKind.SURVEY_ANSWERED,
            at=now,
            customer=survey.ticket.customer,
            data={"kind": survey.kind, "score": value, "previous": previous, "comment": comment},
        )
        feedback_act_on_answer(survey=survey, at=now)
    return survey
