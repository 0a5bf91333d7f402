"""Which channel gets which survey: email and social get a link message, live chat asks at the
end of the chat through survey_link, and the SOP may leave a channel out."""

from __future__ import annotations

import pytest
from django.test import Client

from sigap.accounts.models import Team, User
from sigap.core import clock
from sigap.core.errors import InvalidInput
from sigap.core.jobs import run_due_jobs
from sigap.feedback.models import Survey
from sigap.feedback.surveys import survey_link
from sigap.sops.services import sop_import, sop_publish
from sigap.tickets.models import Channel, Direction, Ticket
from tests.feedback.conftest import RESOLVED_AT, resolved_ticket, surveys_sent
from tests.web.pages import text


def test_a_social_ticket_gets_the_link_as_a_message(team_a: Team, agent: User) -> None:
    ticket = resolved_ticket(team_a, agent, channel=Channel.SOCIAL)
    [survey] = surveys_sent(ticket)
    assert survey.channel == Channel.SOCIAL
    message = ticket.messages.get(direction=Direction.OUTBOUND)
    assert message.channel == Channel.SOCIAL
    assert "/survey/" in message.body_text


def test_a_chat_ticket_is_asked_in_the_chat_as_it_ends(team_a: Team, agent: User) -> None:
    ticket = resolved_ticket(team_a, agent, channel=Channel.CHAT)
    # The visitor is still on the page: the question goes out at once, not an hour later.
    with clock.frozen(RESOLVED_AT):
        run_due_jobs()
    [survey] = Survey.objects.filter(ticket=ticket)
    assert survey.channel == Channel.CHAT
    message = ticket.messages.get(direction=Direction.OUTBOUND)
    assert message.channel == Channel.CHAT
    assert "/survey/" in message.body_text
    with clock.frozen(RESOLVED_AT):
        # The chat's own link leads to the same one answer.
        assert survey_link(ticket=ticket, kind="csat") in message.body_text
        page = Client().get(survey_link(ticket=ticket, kind="csat").split("127.0.0.1:8000", 1)[1])
    assert "How did we do?" in text(page)


def test_the_sop_may_leave_email_out(team_a: Team, agent: User) -> None:
    document = """
key: tanpa-survei-email
title: Tanpa survei email
purpose: Tes
triggers: {channels: [email]}
surveys: {channels: [social]}
steps:
  - id: answer
    kind: action
    title: Jawab
    mandatory: false
"""
    sop_publish(version=sop_import(text=document, by=None), by=None, notes="v1")
    ticket = resolved_ticket(team_a, agent)
    assert surveys_sent(ticket) == []
    assert not ticket.messages.filter(direction=Direction.OUTBOUND).exists()


def test_an_unknown_kind_is_refused(resolved: Ticket) -> None:
    with pytest.raises(InvalidInput, match="A survey is csat or nps."):
        survey_link(ticket=resolved, kind="ces")
    assert not Survey.objects.exists()


def test_a_customer_without_an_email_address_is_not_counted_as_surveyed(
    team_a: Team, agent: User
) -> None:
    ticket = resolved_ticket(team_a, agent)
    ticket.customer.identities.all().delete()
    assert surveys_sent(ticket) == []
    assert not ticket.messages.filter(direction=Direction.OUTBOUND).exists()
