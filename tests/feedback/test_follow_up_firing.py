"""A follow-up is planned at resolution and fired once by the executor when it is due."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail

from sigap.accounts.models import User
from sigap.core import clock
from sigap.core.jobs import run_due_jobs
from sigap.feedback.followups import follow_up_record, follow_ups_fire_due
from sigap.feedback.models import FollowUp, FollowUpMode, FollowUpState
from sigap.tickets.events import EventKind
from sigap.tickets.models import Status, Ticket
from sigap.tickets.services import ticket_change_status
from tests.feedback.conftest import RESOLVED_AT


def _events(ticket: Ticket, kind: str) -> list[dict[str, object]]:
    return list(ticket.events.filter(kind=kind).values_list("data", flat=True))


def test_by_default_a_task_for_the_agent_two_days_after_resolution(
    resolved: Ticket, agent: User
) -> None:
    follow_up = FollowUp.objects.get(ticket=resolved)
    assert follow_up.mode == FollowUpMode.TASK
    assert follow_up.due_at == RESOLVED_AT + timedelta(days=2)
    assert follow_up.assignee == agent
    assert follow_up.state == FollowUpState.SCHEDULED


def test_fires_exactly_once_when_due(resolved: Ticket) -> None:
    with clock.frozen(RESOLVED_AT + timedelta(days=2) - timedelta(seconds=1)):
        assert follow_ups_fire_due() == 0
    with clock.frozen(RESOLVED_AT + timedelta(days=2)):
        assert follow_ups_fire_due() == 1
        assert follow_ups_fire_due() == 0
    with clock.frozen(RESOLVED_AT + timedelta(days=9)):
        run_due_jobs()
        run_due_jobs()
    follow_up = FollowUp.objects.get(ticket=resolved)
    assert follow_up.state == FollowUpState.DUE
    assert follow_up.fired_at == RESOLVED_AT + timedelta(days=2)
    assert len(_events(resolved, EventKind.FOLLOW_UP_DUE)) == 1


def test_the_agent_records_satisfied_on_the_timeline(resolved: Ticket, agent: User) -> None:
    follow_up = FollowUp.objects.get(ticket=resolved)
    with clock.frozen(RESOLVED_AT + timedelta(days=2)):
        follow_ups_fire_due()
        follow_up_record(follow_up_id=follow_up.pk, by=agent, result="satisfied", note="Aman")
    assert _events(resolved, EventKind.FOLLOW_UP_RECORDED) == [
        {"result": "satisfied", "note": "Aman"}
    ]
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED


def test_problem_continues_reopens_the_ticket(resolved: Ticket, agent: User) -> None:
    follow_up = FollowUp.objects.get(ticket=resolved)
    with clock.frozen(RESOLVED_AT + timedelta(days=2)):
        follow_ups_fire_due()
        follow_up_record(follow_up_id=follow_up.pk, by=agent, result="problem_continues")
    resolved.refresh_from_db()
    assert resolved.status == Status.OPEN
    assert FollowUp.objects.get(pk=follow_up.pk).result == "problem_continues"


def test_a_reopened_ticket_cancels_its_follow_up_and_the_next_resolution_plans_anew(
    resolved: Ticket, agent: User
) -> None:
    with clock.frozen(RESOLVED_AT + timedelta(hours=5)):
        ticket_change_status(ticket=resolved, by=agent, status=Status.OPEN)
    assert FollowUp.objects.get(ticket=resolved).state == FollowUpState.CANCELLED
    with clock.frozen(RESOLVED_AT + timedelta(days=2)):
        assert follow_ups_fire_due() == 0
        ticket_change_status(ticket=resolved, by=agent, status=Status.RESOLVED)
    states = list(FollowUp.objects.filter(ticket=resolved).values_list("state", "due_at"))
    assert sorted(states) == sorted(
        [
            (FollowUpState.CANCELLED, RESOLVED_AT + timedelta(days=2)),
            (FollowUpState.SCHEDULED, RESOLVED_AT + timedelta(days=4)),
        ]
    )
    assert mail.outbox == []
