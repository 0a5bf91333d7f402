"""Acting on an answer (MISSION F2): a low score alerts the supervisors at once and starts the
recovery; a high score thanks the customer. Each happens once per survey."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from sigap.accounts.models import Role, User
from sigap.core.errors import DomainError
from sigap.core.jobs import job_enqueue
from sigap.core.realtime import publish_on_commit
from sigap.feedback.models import RecoveryTask, Survey
from sigap.feedback.plans import survey_plan
from sigap.feedback.wording import thanks_message
from sigap.sla.responsible import people_in_role
from sigap.sops.models import LIVE_STATUSES, SopVersion
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import Channel, Status, Ticket

LOW_SCORE_MAIL = "feedback_low_score_mail"
RECOVERY_REASON = "low_satisfaction_score"


def recovery_time() -> timedelta:
    """How soon a supervisor should have contacted an unhappy customer."""
    return timedelta(hours=int(getattr(settings, "FEEDBACK_RECOVERY_HOURS", 4)))


def supervisors_of(ticket: Ticket) -> list[User]:
    """Who hears of an unhappy customer: the team's supervisors (any supervisor when the team
    has none), else the managers, so an alert never goes nowhere."""
    for role in (Role.SUPERVISOR, Role.MANAGER):
        people = list(people_in_role(role, ticket.team_id).order_by("pk"))
        if people:
            return people
    return []


def feedback_act_on_answer(*, survey: Survey, at: datetime) -> None:
    """Runs in the answer's transaction, so the alert rows exist exactly when the answer does."""
    if survey.is_low and survey.alerted_at is None:
        _alert(survey, at)
    elif survey.is_high and survey.thanked_at is None:
        _thank(survey, at)


def _alert(survey: Survey, at: datetime) -> None:
    Survey.objects.filter(pk=survey.pk).update(alerted_at=at)
    survey.alerted_at = at
    ticket = survey.ticket
    supervisors = supervisors_of(ticket)
    job_enqueue(
        kind=LOW_SCORE_MAIL,
        payload={"survey": survey.pk},
        idempotency_key=f"feedback-low-score:{survey.pk}",
    )
    publish_on_commit(
        [f"tickets.user.{person.pk}" for person in supervisors] or ["tickets.all"],
        {"type": "sla.alert", "ticket": ticket.pk, "stage": "feedback", "target": survey.kind},
    )
    if not _start_complaint_sop(survey, supervisors, at):
        _open_recovery_task(survey, supervisors, at)


def _start_complaint_sop(survey: Survey, supervisors: list[User], at: datetime) -> bool:
    """Put a resolved ticket back to work under the complaint SOP, when the SOP names one."""
    from sigap.sops.services import sop_switch
    from sigap.tickets.services import ticket_lock_for_work, ticket_reopen_by_system

    key = survey_plan(survey.ticket).complaint_sop
    if key is None or not supervisors:
        return False
    version = SopVersion.objects.filter(sop__key=key, status__in=LIVE_STATUSES).first()
    ticket = ticket_lock_for_work(ticket=survey.ticket, by=None)
    if version is None or ticket.status != Status.RESOLVED:
        return False
    ticket_reopen_by_system(ticket=ticket, at=at, reason=RECOVERY_REASON)
    try:
        sop_switch(
            ticket=ticket,
            version=version,
            by=supervisors[0],
            reason=_("Low satisfaction score: %(score)s") % {"score": survey.score},
        )
    except DomainError:
        return False
    return True


def _open_recovery_task(survey: Survey, supervisors: list[User], at: datetime) -> None:
    ticket = survey.ticket
    assignee = supervisors[0] if supervisors else ticket.assignee
    RecoveryTask.objects.create(
        ticket=ticket,
        survey=survey,
        assignee=assignee,
        created_at=at,
        due_at=at + recovery_time(),
    )
    event_record(
        ticket=ticket,
        kind=EventKind.FEEDBACK_RECOVERY_OPENED,
        at=at,
        data={
            "kind": survey.kind,
            "score": survey.score,
            "assignee": assignee.display_name if assignee else None,
        },
    )


def _thank(survey: Survey, at: datetime) -> None:
    from sigap.tickets.services import ticket_lock_for_work, ticket_notify_customer

    Survey.objects.filter(pk=survey.pk).update(thanked_at=at)
    survey.thanked_at = at
    ticket = ticket_lock_for_work(ticket=survey.ticket, by=None)
    if ticket.channel in (Channel.EMAIL, Channel.SOCIAL):
        ticket.customer = survey.ticket.customer
        ticket_notify_customer(ticket=ticket, body=thanks_message(ticket), at=at)


def recovery_task_done(*, task_id: int, by: User, note: str) -> RecoveryTask:
    """The supervisor contacted the unhappy customer and writes down what was done."""
    from django.db import transaction

    from sigap.core import clock
    from sigap.core.errors import Conflict, InvalidInput, NotFound
    from sigap.tickets import access

    note = note.strip()
    if len(note) < 5:
        raise InvalidInput(_("Write what was done for the customer."), field="note")
    if len(note) > 2000:
        raise InvalidInput(_("The note is longer than 2000 characters."), field="note")
    with transaction.atomic():
        task = (
            RecoveryTask.objects.select_for_update(of=("self",))
            .select_related("ticket")
            .filter(pk=task_id)
            .first()
        )
        if task is None or not access.can_work_on(by, task.ticket):
            raise NotFound(_("No such recovery task, or you may not see it."))
        if task.done_at is not None:
            raise Conflict(_("This recovery task is already done."))
        now = clock.now()
        task.done_at, task.done_by, task.note = now, by, note
        task.save(update_fields=["done_at", "done_by", "note"])
        event_record(
            ticket=task.ticket,
            kind=EventKind.FEEDBACK_RECOVERY_DONE,
            at=now,
            by=by,
            data={"note": note},
        )
    return task
