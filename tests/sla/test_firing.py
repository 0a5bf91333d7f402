"""The executor fires each warning and breach once, in order, and tells the people in charge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail

from sigap.accounts.models import Team, User
from sigap.core.jobs import run_due_jobs
from sigap.sla.firing import sla_fire_due
from sigap.sla.models import Timer, TimerKind
from sigap.tickets.events import EventKind
from sigap.tickets.models import Channel, TicketEvent
from sigap.tickets.services import ticket_reply
from tests import factories

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _mail_in_memory(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _events(kind: EventKind) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(kind=kind).order_by("id"))


def test_warning_then_breach_each_fire_once_and_mail_the_assignee(
    team_a: Team, agent: User
) -> None:
    agent.email = "sari@toko.example"
    agent.save()
    with time_machine.travel(T0, tick=False):
        ticket = factories.make_ticket(team=team_a, channel=Channel.CHAT, assignee=agent)

    with time_machine.travel(T0 + timedelta(seconds=47), tick=False):
        assert sla_fire_due() == 0
    with time_machine.travel(T0 + timedelta(seconds=48), tick=False):
        assert sla_fire_due() == 1
        assert sla_fire_due() == 0
        run_due_jobs()
    assert [e.data["target"] for e in _events(EventKind.SLA_WARNED)] == ["first_response"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sari@toko.example"]
    assert "First response target almost missed" in mail.outbox[0].subject
    assert ticket.reference in mail.outbox[0].subject

    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        assert sla_fire_due() == 1
        assert sla_fire_due() == 0
        run_due_jobs()
        run_due_jobs()
    breaches = _events(EventKind.SLA_BREACHED)
    assert len(breaches) == 1
    assert breaches[0].ticket_id == ticket.pk
    timer = Timer.objects.get(ticket=ticket, kind=TimerKind.FIRST_RESPONSE)
    assert timer.breached_at == T0 + timedelta(minutes=1)
    assert [m.subject.split("] ")[1] for m in mail.outbox] == [
        "First response target almost missed",
        "First response target missed",
    ]


def test_an_unassigned_ticket_alerts_the_team_supervisor(
    team_a: Team, supervisor: User, outsider: User
) -> None:
    supervisor.email = "dewi@toko.example"
    supervisor.save()
    with time_machine.travel(T0, tick=False):
        factories.make_ticket(team=team_a, channel=Channel.CHAT)
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        sla_fire_due()
        run_due_jobs()

    assert [m.to for m in mail.outbox] == [["dewi@toko.example"]]


def test_an_answered_ticket_never_fires(team_a: Team, agent: User) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = factories.make_ticket(team=team_a, channel=Channel.CHAT)
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        ticket_reply(ticket=ticket, by=agent, body="Halo!")
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert sla_fire_due() == 0


def test_after_a_clock_jump_overdue_timers_fire_once_in_order_without_a_storm(
    team_a: Team,
) -> None:
    tickets = []
    for minutes in (3, 1, 2):
        with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
            tickets.append(factories.make_ticket(team=team_a, channel=Channel.CHAT))

    # The machine slept for an hour: every first-response warning and breach is overdue.
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        fired = sla_fire_due()
        assert sla_fire_due() == 0

    assert fired == 3
    assert _events(EventKind.SLA_WARNED) == []
    breaches = _events(EventKind.SLA_BREACHED)
    assert [e.ticket_id for e in breaches] == [tickets[1].pk, tickets[2].pk, tickets[0].pk]


def test_each_person_is_alerted_in_their_own_language(
    team_a: Team, agent: User, supervisor: User
) -> None:
    agent.email, agent.language = "sari@toko.example", "id"
    agent.save()
    with time_machine.travel(T0, tick=False):
        factories.make_ticket(team=team_a, channel=Channel.CHAT, assignee=agent)
    with time_machine.travel(T0 + timedelta(seconds=50), tick=False):
        sla_fire_due()
        run_due_jobs()

    assert mail.outbox[0].subject.endswith("] Target Respons pertama hampir terlewat")
