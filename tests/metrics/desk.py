"""A small desk with a hand-computed October 2026, built through the ticket services.

Times are Jakarta wall-clock (UTC+7). The numbers each test expects are worked out in the
comments of `october_desk` from these events alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from sigap.accounts.models import Team, User
from sigap.customers.models import Customer
from sigap.feedback.models import Survey
from sigap.metrics.refresh import facts_catch_up
from sigap.tickets.models import Channel, Status, Ticket
from sigap.tickets.services import (
    ticket_change_status,
    ticket_log_contact,
    ticket_receive,
    ticket_reply,
)
from tests import factories

JAKARTA = ZoneInfo("Asia/Jakarta")
# When the figures are read: every October resolution is more than 7 days old.
READ_AT = datetime(2026, 11, 20, 12, 0, tzinfo=JAKARTA)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=JAKARTA)


@dataclass
class Desk:
    t1: Ticket
    t2: Ticket
    t3: Ticket
    t6: Ticket
    returning: Customer
    lapsed: Customer


def _open(
    team: Team, customer: Customer, when: datetime, channel: Channel = Channel.EMAIL, **kw: object
) -> Ticket:
    with time_machine.travel(when, tick=False):
        return factories.make_ticket(team=team, customer=customer, channel=channel, **kw)  # type: ignore[arg-type]


def reply(ticket: Ticket, agent: User, when: datetime, status: str | None = None) -> None:
    with time_machine.travel(when, tick=False):
        ticket_reply(ticket=ticket, by=agent, body="Baik, kami bantu.", status=status)  # type: ignore[arg-type]


def receive(ticket: Ticket, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        ticket_receive(ticket=ticket, customer=ticket.customer, body="Tambahan dari saya.")


def status_change(ticket: Ticket, agent: User, when: datetime, status: str) -> None:
    with time_machine.travel(when, tick=False):
        ticket_change_status(ticket=ticket, by=agent, status=status)


def _survey(ticket: Ticket, kind: str, score: int | None, answered: datetime | None) -> None:
    Survey.objects.create(
        ticket=ticket,
        kind=kind,
        sent_at=answered or at(10, 28, 9),
        expires_at=(answered or at(10, 28, 9)) + timedelta(days=14),
        score=score,
        answered_at=answered,
    )


def october_desk(team_a: Team, team_b: Team, agent: User, other_agent: User) -> Desk:
    returning = factories.make_customer("Wati")
    lapsed = factories.make_customer("Joko")
    # September, the previous period: Wati writes (T4) and Joko calls (T5).
    t4 = _open(team_b, returning, at(9, 20, 10))
    reply(t4, other_agent, at(9, 21, 10), status=Status.RESOLVED)
    with time_machine.travel(at(9, 25, 10), tick=False):
        ticket_log_contact(
            by=other_agent,
            customer=lapsed,
            channel=Channel.PHONE,
            subject="Tanya ongkir",
            summary="Menanyakan ongkos kirim",
            team=team_b,
            resolved_on_the_spot=True,
        )

    # T1: answered after 1 h, resolved after 5 h, one contact, never reopened → FCR.
    t1 = _open(team_a, returning, at(10, 5, 10), assignee=agent)
    reply(t1, agent, at(10, 5, 11))
    status_change(t1, agent, at(10, 5, 15), Status.RESOLVED)

    # T2: two messages in a row (one contact), answered 2 h after the first (response 7200 s),
    # then 24 h waiting on the customer, whose answer is a second contact, answered in 1 h;
    # resolved at +28 h: 28 h − 24 h paused = 14 400 s. Reopened by the customer 2 days later
    # (within 7 days), resolved again the same day.
    t2 = _open(team_a, factories.make_customer("Sri"), at(10, 6, 10), assignee=agent)
    receive(t2, at(10, 6, 10, 10))
    reply(t2, agent, at(10, 6, 12), status=Status.PENDING_CUSTOMER)
    receive(t2, at(10, 7, 12))
    reply(t2, agent, at(10, 7, 13))
    status_change(t2, agent, at(10, 7, 14), Status.RESOLVED)
    receive(t2, at(10, 9, 14))
    status_change(t2, agent, at(10, 9, 15), Status.RESOLVED)

    # T3: a chat opened on 31 October at 20:00, answered after 30 min, resolved on 2 November:
    # opened in October, resolved in November, in October's backlog.
    t3 = _open(team_a, factories.make_customer("Rudi"), at(10, 31, 20), Channel.CHAT)
    reply(t3, agent, at(10, 31, 20, 30))
    status_change(t3, agent, at(11, 2, 9), Status.RESOLVED)

    # T6: never answered, still open.
    t6 = _open(team_a, factories.make_customer("Ani"), at(10, 10, 9))

    _survey(t1, "csat", 5, at(10, 6, 9))
    _survey(t2, "csat", 2, at(10, 9, 20))
    _survey(t6, "csat", None, None)  # sent, never answered
    _survey(t1, "nps", 10, at(10, 6, 9))
    _survey(t2, "nps", 6, at(10, 9, 20))
    _survey(t3, "nps", 8, at(11, 3, 9))  # answered in November

    with time_machine.travel(READ_AT, tick=False):
        while facts_catch_up():
            pass
    return Desk(t1=t1, t2=t2, t3=t3, t6=t6, returning=returning, lapsed=lapsed)
