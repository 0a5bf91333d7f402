"""Each ticket gets the targets of its channel and priority, copied when it starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sigap.accounts.models import Team, User
from sigap.sla.configuration import (
    DEFAULT_POLICY_FILE,
    sla_defaults_install,
    sla_policy_save,
    sla_team_calendar_set,
)
from sigap.sla.models import Calendar, Timer, TimerKind, TimerState
from sigap.tickets.models import Channel, Priority
from sigap.tickets.services import ticket_log_contact, ticket_receive, ticket_reply
from tests import factories

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
JAKARTA = ZoneInfo("Asia/Jakarta")


def _due(ticket_id: int, kind: TimerKind) -> datetime | None:
    return Timer.objects.get(ticket_id=ticket_id, kind=kind, state=TimerState.RUNNING).due_at


@pytest.mark.parametrize(
    ("channel", "priority", "first_response"),
    [
        (Channel.CHAT, Priority.NORMAL, timedelta(minutes=1)),
        (Channel.SOCIAL, Priority.NORMAL, timedelta(minutes=5)),
        (Channel.EMAIL, Priority.NORMAL, timedelta(hours=1)),
        (Channel.EMAIL, Priority.URGENT, timedelta(minutes=15)),
    ],
)
def test_first_response_target_follows_channel_and_priority(
    team_a: Team, channel: Channel, priority: Priority, first_response: timedelta
) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = factories.make_ticket(team=team_a, channel=channel, priority=priority)

    assert _due(ticket.pk, TimerKind.FIRST_RESPONSE) == T0 + first_response
    assert Timer.objects.get(ticket=ticket, kind=TimerKind.RESOLUTION).state == "running"


def test_phone_and_walk_in_track_resolution_only(team_a: Team, agent: User) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = ticket_log_contact(
            by=agent,
            customer=factories.make_customer(),
            channel=Channel.PHONE,
            subject="Tanya ongkir",
            summary="Pelanggan menelepon menanyakan ongkos kirim.",
            team=team_a,
        )

    kinds = set(Timer.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == {TimerKind.RESOLUTION, TimerKind.ESCALATION}
    assert _due(ticket.pk, TimerKind.RESOLUTION) == T0 + timedelta(days=2)


def test_reply_meets_first_response_and_a_new_customer_message_starts_next_response(
    team_a: Team, agent: User
) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = factories.make_ticket(team=team_a, channel=Channel.CHAT)
    with time_machine.travel(T0 + timedelta(seconds=40), tick=False):
        ticket_reply(ticket=ticket, by=agent, body="Halo, kami bantu cek ya.")
    first = Timer.objects.get(ticket=ticket, kind=TimerKind.FIRST_RESPONSE)
    assert first.state == TimerState.MET
    assert first.met_at == T0 + timedelta(seconds=40)
    assert first.fire_at is None

    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        ticket_receive(ticket=ticket, customer=ticket.customer, body="Sudah dicek belum?")
        ticket_receive(ticket=ticket, customer=ticket.customer, body="Halo?")
    # Two messages in a row wait for one answer: one clock, from the first of them.
    nexts = Timer.objects.filter(ticket=ticket, kind=TimerKind.NEXT_RESPONSE)
    assert nexts.count() == 1
    assert nexts[0].due_at == T0 + timedelta(minutes=7)

    with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
        ticket_reply(ticket=ticket, by=agent, body="Sudah, paket dikirim besok.")
    assert nexts[0].state == TimerState.MET


def test_policy_change_applies_to_new_tickets_while_running_ones_keep_theirs(
    team_a: Team,
) -> None:
    with time_machine.travel(T0, tick=False):
        before = factories.make_ticket(team=team_a, channel=Channel.CHAT)
        source = DEFAULT_POLICY_FILE.read_text().replace(
            "first_response: 1m\n    next_response: 2m", "first_response: 3m\n    next_response: 2m"
        )
        sla_policy_save(source=source, by=None)
        after = factories.make_ticket(team=team_a, channel=Channel.CHAT)

    assert _due(before.pk, TimerKind.FIRST_RESPONSE) == T0 + timedelta(minutes=1)
    assert _due(after.pk, TimerKind.FIRST_RESPONSE) == T0 + timedelta(minutes=3)


def test_resolving_meets_resolution_and_stops_the_other_clocks(team_a: Team, agent: User) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = factories.make_ticket(team=team_a, channel=Channel.EMAIL)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        ticket_reply(ticket=ticket, by=agent, body="Sudah kami ganti.", status="resolved")

    states = dict(Timer.objects.filter(ticket=ticket).values_list("kind", "state"))
    assert states == {
        TimerKind.FIRST_RESPONSE: TimerState.MET,
        TimerKind.RESOLUTION: TimerState.MET,
        TimerKind.ESCALATION: TimerState.STOPPED,
    }
    assert not Timer.objects.filter(ticket=ticket, fire_at__isnull=False).exists()


def test_email_targets_count_the_teams_office_hours(team_a: Team, agent: User) -> None:
    sla_defaults_install()
    sla_team_calendar_set(team=team_a, calendar=Calendar.objects.get(key="jakarta-office"), by=None)
    friday_late = datetime(2026, 11, 27, 16, 30, tzinfo=JAKARTA)
    with time_machine.travel(friday_late, tick=False):
        mail_ticket = factories.make_ticket(team=team_a, channel=Channel.EMAIL)
        chat = factories.make_ticket(team=team_a, channel=Channel.CHAT)

    # Half an hour on Friday, the other half when the office opens on Saturday at 08:00.
    assert _due(mail_ticket.pk, TimerKind.FIRST_RESPONSE) == datetime(
        2026, 11, 28, 8, 30, tzinfo=JAKARTA
    )
    # Chat is answered around the clock.
    assert _due(chat.pk, TimerKind.FIRST_RESPONSE) == friday_late + timedelta(minutes=1)


def test_a_holiday_is_skipped(team_a: Team) -> None:
    sla_defaults_install()
    sla_team_calendar_set(team=team_a, calendar=Calendar.objects.get(key="jakarta-office"), by=None)
    christmas_eve = datetime(2026, 12, 24, 16, 45, tzinfo=JAKARTA)
    with time_machine.travel(christmas_eve, tick=False):
        ticket = factories.make_ticket(team=team_a, channel=Channel.EMAIL)

    # 15 minutes on the 24th; the 25th is a holiday; the rest on Saturday the 26th.
    assert _due(ticket.pk, TimerKind.FIRST_RESPONSE) == datetime(
        2026, 12, 26, 8, 45, tzinfo=JAKARTA
    )
