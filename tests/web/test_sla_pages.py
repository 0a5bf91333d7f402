"""Response times in the agent's browser: the ticket's clocks, escalating with a reason, the
unanswered list, the inbox badge, and the live alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from asgiref.sync import async_to_sync, sync_to_async
from django.test import Client

from sigap.accounts.models import Team, User
from sigap.sla.firing import sla_fire_due
from sigap.sla.models import Escalation
from sigap.tickets.models import Channel
from sigap.tickets.services import ticket_reply
from tests import factories
from tests.web.test_inbox_live import _signed_in_headers, _socket

T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_ticket_page_counts_down_and_marks_a_missed_target(agent: User, team_a: Team) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = factories.make_ticket(team=team_a, channel=Channel.CHAT)
        page = _client(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Response times" in page
    assert 'datetime="2026-11-23T10:01:00+07:00" data-countdown' in page

    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        sla_fire_due()
        page = _client(agent).get(f"/tickets/{ticket.pk}/").content.decode()
        inbox = _client(agent).get("/inbox/list/").content.decode()
    assert 'class="badge breached">Missed' in page
    assert "recorded a missed response-time target" in page
    assert "Overdue" in inbox


@pytest.mark.django_db
def test_an_agent_escalates_with_a_reason_from_the_ticket_page(
    agent: User, supervisor: User, team_a: Team
) -> None:
    ticket = factories.make_ticket(team=team_a, assignee=agent)
    client = _client(agent)

    refused = client.post(f"/tickets/{ticket.pk}/escalate/", {"reason": ""})
    assert refused.status_code == 400
    assert not Escalation.objects.exists()

    done = client.post(
        f"/tickets/{ticket.pk}/escalate/", {"reason": "Minta ganti rugi di luar kebijakan"}
    )
    assert done.status_code == 302
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "escalated the ticket" in page
    assert "Now at L2 supervisor" in page
    assert "Minta ganti rugi di luar kebijakan" in page


@pytest.mark.django_db
def test_an_outsider_cannot_escalate_another_teams_ticket(outsider: User, team_a: Team) -> None:
    ticket = factories.make_ticket(team=team_a)

    response = _client(outsider).post(f"/tickets/{ticket.pk}/escalate/", {"reason": "Coba"})

    assert response.status_code == 404
    assert not Escalation.objects.exists()


@pytest.mark.django_db
def test_unanswered_lists_waiting_customers_most_urgent_first(
    agent: User, team_a: Team, team_b: Team
) -> None:
    with time_machine.travel(T0, tick=False):
        mail_ticket = factories.make_ticket(team=team_a, channel=Channel.EMAIL, subject="Surel")
        chat = factories.make_ticket(team=team_a, channel=Channel.CHAT, subject="Obrolan")
        answered = factories.make_ticket(team=team_a, channel=Channel.CHAT, subject="Dijawab")
        ticket_reply(ticket=answered, by=agent, body="Halo")
        factories.make_ticket(team=team_b, channel=Channel.CHAT, subject="Tim lain")

        page = _client(agent).get("/unanswered/").content.decode()

    assert page.index(chat.reference) < page.index(mail_ticket.reference)
    assert answered.reference not in page
    assert "Tim lain" not in page


@pytest.mark.django_db
def test_a_forged_page_link_is_refused_clearly(agent: User) -> None:
    response = _client(agent).get("/unanswered/?cursor=bm9wZQ")

    assert response.status_code == 400
    assert "This page link is not valid." in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_breach_is_announced_live_to_the_team(agent: User, team_a: Team) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = factories.make_ticket(team=team_a, channel=Channel.CHAT)
    headers = _signed_in_headers(agent)

    async def scenario() -> Any:
        socket = _socket(headers)
        assert (await socket.connect())[0]
        await sync_to_async(sla_fire_due)(now=T0 + timedelta(minutes=2))
        notice = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return notice

    assert async_to_sync(scenario)() == {
        "event": "sla",
        "ticket": ticket.pk,
        "reference": ticket.reference,
        "stage": "breach",
        "target": "first_response",
    }
