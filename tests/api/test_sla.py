"""Response times through the API: the same deadlines and escalations as the ticket page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from sigap.accounts.models import Team, User
from sigap.sla.firing import sla_fire_due
from sigap.tickets.models import Channel, Status
from sigap.tickets.services import ticket_change_status
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def test_a_ticket_shows_its_deadlines_pauses_and_breaches(
    api_as: ApiClient, agent: User, team_a: Team
) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = factories.make_ticket(team=team_a, channel=Channel.CHAT)
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        sla_fire_due()
        ticket_change_status(ticket=ticket, by=agent, status=Status.PENDING_CUSTOMER)
        body = api_as(agent).get(f"/api/tickets/{ticket.pk}/sla").json()

    timers = {t["kind"]: t for t in body["timers"]}
    assert timers["first_response"]["breached_at"] == "2026-11-23T03:01:00Z"
    assert timers["first_response"]["target_seconds"] == 60
    assert timers["resolution"]["state"] == "paused"
    assert timers["resolution"]["due_at"] is None
    assert timers["resolution"]["pause_count"] == 1
    assert body["level"] == 1
    assert body["level_name"] == "L1 agent"
    assert body["next_level_name"] == "L2 supervisor"


def test_escalating_needs_a_reason_and_is_recorded(
    api_as: ApiClient, agent: User, team_a: Team
) -> None:
    ticket = factories.make_ticket(team=team_a)
    client = api_as(agent)

    empty = client.post(
        f"/api/tickets/{ticket.pk}/escalations", {"reason": ""}, content_type="application/json"
    )
    assert empty.status_code == 400
    assert empty["Content-Type"] == "application/problem+json"

    done = client.post(
        f"/api/tickets/{ticket.pk}/escalations",
        {"reason": "Pelanggan mengancam lapor"},
        content_type="application/json",
    )
    assert done.status_code == 200
    escalation = done.json()["escalations"][0]
    assert escalation["level_name"] == "L2 supervisor"
    assert escalation["cause"] == "manual"
    assert escalation["by"]["name"] == agent.display_name


def test_the_top_level_is_a_conflict(api_as: ApiClient, manager: User, team_a: Team) -> None:
    ticket = factories.make_ticket(team=team_a)
    client = api_as(manager)
    for _ in range(2):
        client.post(
            f"/api/tickets/{ticket.pk}/escalations",
            {"reason": "Naik"},
            content_type="application/json",
        )

    again = client.post(
        f"/api/tickets/{ticket.pk}/escalations", {"reason": "Naik"}, content_type="application/json"
    )

    assert again.status_code == 409


def test_an_outsider_gets_404_for_another_teams_ticket(
    api_as: ApiClient, outsider: User, team_a: Team
) -> None:
    ticket = factories.make_ticket(team=team_a)
    client = api_as(outsider)

    assert client.get(f"/api/tickets/{ticket.pk}/sla").status_code == 404
    posted = client.post(
        f"/api/tickets/{ticket.pk}/escalations", {"reason": "x"}, content_type="application/json"
    )
    assert posted.status_code == 404


def test_unanswered_is_most_urgent_first_and_paged_by_key(
    api_as: ApiClient, agent: User, outsider: User, team_a: Team, team_b: Team
) -> None:
    with time_machine.travel(T0, tick=False):
        email = factories.make_ticket(team=team_a, channel=Channel.EMAIL)
        chat = factories.make_ticket(team=team_a, channel=Channel.CHAT)
        social = factories.make_ticket(team=team_a, channel=Channel.SOCIAL)
        factories.make_ticket(team=team_b, channel=Channel.CHAT)
        client = api_as(agent)
        first = client.get("/api/unanswered?size=2").json()
        second = client.get(f"/api/unanswered?size=2&cursor={first['next_cursor']}").json()

    assert [i["ticket"]["id"] for i in first["items"]] == [chat.pk, social.pk]
    assert [i["ticket"]["id"] for i in second["items"]] == [email.pk]
    assert second["next_cursor"] is None
    assert first["items"][0]["due_at"] == "2026-11-23T03:01:00Z"
