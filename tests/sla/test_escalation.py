"""The ladder: criteria send a ticket straight up, time limits climb it, people escalate with
a reason, and every step is on the timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail

from sigap.accounts.models import Team, User
from sigap.core.errors import Conflict, InvalidInput, NotAllowed
from sigap.core.jobs import run_due_jobs
from sigap.sla.firing import sla_fire_due
from sigap.sla.models import Escalation, Timer, TimerKind, TimerState
from sigap.sla.services import current_level, ticket_escalate
from sigap.tickets.events import EventKind
from sigap.tickets.models import Channel, Direction, Priority, Ticket, TicketEvent
from sigap.tickets.services import ticket_reply
from tests import factories

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _mail_in_memory(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _escalated(ticket: Ticket) -> list[dict[str, Any]]:
    events = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.TICKET_ESCALATED)
    return [e.data for e in events.order_by("id")]


def test_a_lawyer_threat_goes_straight_to_the_supervisor(
    team_a: Team, agent: User, supervisor: User
) -> None:
    supervisor.email = "dewi@toko.example"
    supervisor.save()
    ticket = factories.make_ticket(
        team=team_a,
        body="Kalau tidak diganti, saya akan lapor ke pengacara saya.",
        assignee=agent,
    )

    ticket.refresh_from_db()
    assert current_level(ticket) == 2
    assert _escalated(ticket) == [
        {
            "level": 2,
            "level_name": "L2 supervisor",
            "role": "supervisor",
            "cause": "criteria",
            "reason": "The customer's message mentions “pengacara”.",
        }
    ]
    # The level's actions: reassigned to the supervisor, priority raised, supervisor mailed.
    assert ticket.assignee == supervisor
    assert ticket.priority == Priority.HIGH
    run_due_jobs()
    assert [m.to for m in mail.outbox] == [["dewi@toko.example"]]
    assert "Escalated to L2 supervisor" in mail.outbox[0].subject


def test_a_word_inside_another_word_does_not_count(team_a: Team) -> None:
    ticket = factories.make_ticket(team=team_a, body="Saya tinggal di Jalan Kepolisian 3.")

    assert current_level(ticket) == 1


def test_a_vip_customer_goes_straight_to_the_supervisor(team_a: Team, supervisor: User) -> None:
    customer = factories.make_customer()
    customer.is_vip = True
    customer.save()

    ticket = factories.make_ticket(team=team_a, customer=customer)

    assert _escalated(ticket)[0]["reason"] == "The customer is a VIP."


def test_the_third_contact_in_thirty_days_goes_to_the_supervisor(team_a: Team) -> None:
    customer = factories.make_customer()
    with time_machine.travel(T0 - timedelta(days=40), tick=False):
        factories.make_ticket(team=team_a, customer=customer)
    with time_machine.travel(T0 - timedelta(days=20), tick=False):
        second = factories.make_ticket(team=team_a, customer=customer)
    with time_machine.travel(T0, tick=False):
        third = factories.make_ticket(team=team_a, customer=customer)

    assert current_level(second) == 1
    # The contact from 40 days ago is outside the window: this is only the second in 30 days.
    assert current_level(third) == 1
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        fourth = factories.make_ticket(team=team_a, customer=customer)
    assert _escalated(fourth)[0]["reason"] == (
        "This is contact number 3 from this customer in 30 days."
    )


def test_an_agent_escalates_with_a_reason(team_a: Team, agent: User, supervisor: User) -> None:
    ticket = factories.make_ticket(team=team_a, assignee=agent)

    with pytest.raises(InvalidInput, match="Say why"):
        ticket_escalate(ticket=ticket, by=agent, reason="  ")
    escalation = ticket_escalate(
        ticket=ticket, by=agent, reason="Pelanggan minta bicara dengan atasan."
    )

    assert escalation.level == 2
    assert escalation.by == agent
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.TICKET_ESCALATED)
    assert event.actor_user == agent
    assert event.data["reason"] == "Pelanggan minta bicara dengan atasan."
    assert event.data["cause"] == "manual"


def test_an_outsider_cannot_escalate(team_a: Team, outsider: User) -> None:
    ticket = factories.make_ticket(team=team_a)

    with pytest.raises(NotAllowed):
        ticket_escalate(ticket=ticket, by=outsider, reason="Iseng")
    assert not Escalation.objects.exists()


def test_the_top_of_the_ladder_cannot_be_passed(team_a: Team, manager: User) -> None:
    ticket = factories.make_ticket(team=team_a)
    ticket_escalate(ticket=ticket, by=manager, reason="Serius", to_level=3)

    with pytest.raises(Conflict, match="highest level"):
        ticket_escalate(ticket=ticket, by=manager, reason="Lagi")


def test_time_limits_climb_the_ladder_and_the_manager_level_informs_the_customer(
    team_a: Team, agent: User, supervisor: User, manager: User
) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = factories.make_ticket(team=team_a, assignee=agent)
        ticket_reply(ticket=ticket, by=agent, body="Kami cek dulu ya.")

    with time_machine.travel(T0 + timedelta(days=1, seconds=1), tick=False):
        sla_fire_due()
    ticket.refresh_from_db()
    assert current_level(ticket) == 2
    assert ticket.assignee == supervisor

    with time_machine.travel(T0 + timedelta(days=2, seconds=2), tick=False):
        sla_fire_due()
        assert sla_fire_due() == 0
    ticket.refresh_from_db()
    assert [e["level"] for e in _escalated(ticket)] == [2, 3]
    assert {e["cause"] for e in _escalated(ticket)} == {"timer"}
    assert ticket.assignee == manager
    assert ticket.priority == Priority.URGENT
    notice = ticket.messages.filter(direction=Direction.OUTBOUND).order_by("-id").first()
    assert notice is not None
    assert notice.body_text.startswith("Halo ")
    assert ticket.reference in notice.body_text
    # The top level has no time limit: nothing more is scheduled.
    assert not Timer.objects.filter(
        ticket=ticket, kind=TimerKind.ESCALATION, state=TimerState.RUNNING
    ).exists()


def test_a_resolved_ticket_stops_climbing(team_a: Team, agent: User) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = factories.make_ticket(team=team_a, channel=Channel.CHAT, assignee=agent)
        ticket_reply(ticket=ticket, by=agent, body="Beres.", status="resolved")
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        assert sla_fire_due() == 0

    assert current_level(ticket) == 1
