"""Follow-up by message: the customer gets a link in their language and answers with a click."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.core import clock
from sigap.feedback.followups import follow_ups_fire_due
from sigap.feedback.models import FollowUp, FollowUpResult, FollowUpState
from sigap.sops.services import sop_import, sop_publish
from sigap.tickets.models import Channel, Direction, Status, Ticket
from sigap.tickets.services import ticket_change_status
from tests.feedback.conftest import RESOLVED_AT, resolved_ticket
from tests.web.pages import text

SOP = """
key: feedback-by-message
title: Keluhan umum
purpose: Tes tindak lanjut
triggers: {channels: [email]}
follow_up: {after_days: 1, mode: message}
steps:
  - id: answer
    kind: action
    title: Jawab
    mandatory: false
"""


def _message_sop() -> None:
    sop_publish(version=sop_import(text=SOP, by=None), by=None, notes="v1")


def _fired(team: Team, agent: User, language: str) -> tuple[Ticket, FollowUp, str]:
    _message_sop()
    ticket = resolved_ticket(team, agent, language=language)
    follow_up = FollowUp.objects.get(ticket=ticket)
    assert follow_up.due_at == RESOLVED_AT + timedelta(days=1)
    with clock.frozen(RESOLVED_AT + timedelta(days=1)):
        assert follow_ups_fire_due() == 1
    message = ticket.messages.filter(direction=Direction.OUTBOUND).get()
    found = re.search(r"http://\S+/follow-up/(\S+)/", message.body_text)
    assert found is not None
    return ticket, FollowUp.objects.get(pk=follow_up.pk), message.body_text


def test_the_message_greets_the_customer_and_waits_for_the_answer(
    team_a: Team, agent: User
) -> None:
    ticket, follow_up, body = _fired(team_a, agent, "en")
    assert follow_up.state == FollowUpState.WAITING
    assert body.startswith("Hello Wati Susanto,")
    assert ticket.reference in body
    assert ticket.events.filter(kind="follow_up_due").count() == 1


def test_problem_continues_by_link_reopens_the_ticket(team_a: Team, agent: User) -> None:
    ticket, follow_up, body = _fired(team_a, agent, "en")
    path = re.search(r"http://[^/]+(/follow-up/\S+/)", body)
    assert path is not None
    client = Client()
    page = client.get(path.group(1))
    assert "Is the problem solved?" in text(page)
    assert FollowUp.objects.get(pk=follow_up.pk).state == FollowUpState.WAITING
    with clock.frozen(RESOLVED_AT + timedelta(days=2)):
        answered = client.post(path.group(1), {"solved": "no", "note": "Masih bocor"})
    assert answered.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.result == FollowUpResult.PROBLEM_CONTINUES
    assert follow_up.note == "Masih bocor"
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert "We have reopened your request" in text(client.get(answered["Location"]))


def test_no_answer_within_the_window_is_recorded_once(
    team_a: Team, agent: User, settings: Any
) -> None:
    ticket, follow_up, _ = _fired(team_a, agent, "en")
    assert follow_up.check_at == RESOLVED_AT + timedelta(days=1 + 3)
    with clock.frozen(RESOLVED_AT + timedelta(days=4)):
        assert follow_ups_fire_due() == 1
        assert follow_ups_fire_due() == 0
    follow_up.refresh_from_db()
    assert (follow_up.state, follow_up.result) == (FollowUpState.DONE, FollowUpResult.NO_ANSWER)
    assert ticket.events.filter(kind="follow_up_recorded").count() == 1


def test_problem_continues_on_a_closed_ticket_gives_the_agent_a_task(
    team_a: Team, agent: User
) -> None:
    ticket, follow_up, body = _fired(team_a, agent, "en")
    with clock.frozen(RESOLVED_AT + timedelta(days=1, hours=1)):
        ticket_change_status(ticket=ticket, by=agent, status=Status.CLOSED)
    path = re.search(r"http://[^/]+(/follow-up/\S+/)", body)
    assert path is not None
    client = Client()
    with clock.frozen(RESOLVED_AT + timedelta(days=2)):
        answered = client.post(path.group(1), {"solved": "no"})
        shown = text(client.get(answered["Location"]))
    assert "We will contact you soon." in shown
    assert "reopened" not in shown
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    task = FollowUp.objects.get(ticket=ticket, state=FollowUpState.DUE)
    assert (task.mode, task.assignee) == ("task", agent)


def test_a_finished_chat_is_followed_up_by_the_agent_not_by_message(
    team_a: Team, agent: User
) -> None:
    _message_sop_for_chat()
    ticket = resolved_ticket(team_a, agent, channel=Channel.CHAT)
    assert FollowUp.objects.get(ticket=ticket).mode == "task"


def _message_sop_for_chat() -> None:
    document = SOP.replace("feedback-by-message", "chat-by-message").replace("[email]", "[chat]")
    sop_publish(version=sop_import(text=document, by=None), by=None, notes="v1")
