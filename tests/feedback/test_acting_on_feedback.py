"""A low score alerts the team's supervisors at once and opens a recovery; a high one thanks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.test import Client

from sigap.accounts.models import Role, Team, User
from sigap.core import clock
from sigap.core.jobs import run_due_jobs
from sigap.feedback.acting import recovery_task_done
from sigap.feedback.links import survey_url
from sigap.feedback.models import RecoveryTask, Survey
from sigap.feedback.surveys import survey_answer, survey_link
from sigap.sops.services import sop_import, sop_publish
from sigap.tickets.models import Direction, Status, Ticket
from tests import factories
from tests.feedback.conftest import RESOLVED_AT, resolved_ticket, surveys_sent
from tests.smtp import smtp_server

LATER = RESOLVED_AT + timedelta(days=1)


def _answer(ticket: Ticket, score: int, comment: str = "") -> Survey:
    [survey] = surveys_sent(ticket)
    with clock.frozen(LATER):
        return survey_answer(survey_id=survey.pk, score=score, comment=comment)


def test_a_low_score_mails_the_supervisors_over_smtp(
    resolved: Ticket, supervisor: User, team_b: Team, settings: Any
) -> None:
    factories.make_user("lain", Role.SUPERVISOR, [team_b])
    _answer(resolved, 2, "Lama sekali")
    with smtp_server() as (port, received):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        with clock.frozen(LATER):
            run_due_jobs()
            run_due_jobs()
        [alert] = [m for m in received.messages if "Low satisfaction" in m["Subject"]]
    assert alert["To"] == "dewi@desk.example"
    assert alert["Subject"] == f"[{resolved.reference}] Low satisfaction score"
    body = alert.get_payload(decode=True).decode()
    assert "Wati Susanto gave a low score: Satisfaction (CSAT, 1–5) 2." in body
    assert "Lama sekali" in body
    assert f"/tickets/{resolved.pk}/" in body


def test_a_low_score_opens_one_recovery_task_for_the_supervisor(
    resolved: Ticket, supervisor: User
) -> None:
    survey = _answer(resolved, 1)
    with clock.frozen(LATER + timedelta(minutes=5)):
        survey_answer(survey_id=survey.pk, score=2)
    task = RecoveryTask.objects.get()
    assert (task.ticket, task.assignee, task.due_at) == (
        resolved,
        supervisor,
        LATER + timedelta(hours=4),
    )
    assert resolved.events.filter(kind="feedback_recovery_opened").count() == 1
    with clock.frozen(LATER + timedelta(hours=1)):
        recovery_task_done(task_id=task.pk, by=supervisor, note="Ditelepon, voucher diberikan")
    assert RecoveryTask.objects.get().done_at == LATER + timedelta(hours=1)


def test_nps_six_is_low_and_seven_is_not(team_a: Team, agent: User, supervisor: User) -> None:
    ticket = resolved_ticket(team_a, agent)
    with clock.frozen(LATER):
        link = survey_link(ticket=ticket, kind="nps")
        survey = Survey.objects.get(ticket=ticket, kind="nps")
        assert link == survey_url(survey.pk)
        survey_answer(survey_id=survey.pk, score=7)
        assert not RecoveryTask.objects.exists()
        survey_answer(survey_id=survey.pk, score=6)
    assert RecoveryTask.objects.count() == 1


def test_a_high_score_thanks_the_customer_once(resolved: Ticket) -> None:
    survey = _answer(resolved, 5, "Mantap")
    with clock.frozen(LATER + timedelta(hours=1)):
        survey_answer(survey_id=survey.pk, score=4)
    outbound = list(
        resolved.messages.filter(direction=Direction.OUTBOUND).values_list("body_text", flat=True)
    )
    thanks = [body for body in outbound if "Thank you for your kind rating" in body]
    assert len(thanks) == 1
    assert not RecoveryTask.objects.exists()


COMPLAINT = """
key: keluhan-pemulihan
title: Pemulihan keluhan
purpose: Menangani pelanggan yang kecewa
steps:
  - id: call
    kind: action
    title: Telepon pelanggan
"""
WITH_COMPLAINT = """
key: umum-dengan-survei
title: Umum
purpose: Tes
triggers: {channels: [email]}
surveys: {kinds: [csat, nps], complaint_sop: keluhan-pemulihan}
steps:
  - id: answer
    kind: action
    title: Jawab
    mandatory: false
"""


def test_a_low_score_starts_the_complaint_sop_when_one_is_named(
    team_a: Team, agent: User, supervisor: User
) -> None:
    for document in (COMPLAINT, WITH_COMPLAINT):
        sop_publish(version=sop_import(text=document, by=None), by=None, notes="v1")
    ticket = resolved_ticket(team_a, agent)
    surveys = surveys_sent(ticket)
    assert [s.kind for s in surveys] == ["csat", "nps"]
    with clock.frozen(LATER):
        survey_answer(survey_id=surveys[0].pk, score=1)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.sop_runs.get(ended_at__isnull=True).version.sop.key == "keluhan-pemulihan"
    assert not RecoveryTask.objects.exists()


def test_the_alert_reaches_the_supervisors_open_inbox_at_once(
    resolved: Ticket, supervisor: User, django_capture_on_commit_callbacks: Any
) -> None:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"tickets.user.{supervisor.pk}", channel)
    [survey] = surveys_sent(resolved)
    with django_capture_on_commit_callbacks(execute=True), clock.frozen(LATER):
        survey_answer(survey_id=survey.pk, score=1)
    notice = async_to_sync(layer.receive)(channel)
    assert notice == {
        "type": "sla.alert",
        "ticket": resolved.pk,
        "stage": "feedback",
        "target": "csat",
    }
    inbox = Client()
    inbox.force_login(supervisor)
    page = inbox.get("/").content.decode()
    assert 'data-feedback="%s received a low satisfaction score"' in page


def test_without_supervisors_the_managers_hear_of_it(resolved: Ticket, manager: User) -> None:
    _answer(resolved, 1)
    task = RecoveryTask.objects.get()
    assert task.assignee == manager
    with clock.frozen(LATER):
        run_due_jobs()
    [alert] = [m for m in mail.outbox if "Low satisfaction" in m.subject]
    assert alert.to == ["agus@desk.example"]
