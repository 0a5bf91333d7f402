"""A ticket worked to resolution, and ways to reach its surveys and follow-up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from sigap.accounts.models import Team, User
from sigap.core import clock
from sigap.core.jobs import run_due_jobs
from sigap.feedback.models import Survey
from sigap.tickets.models import Channel, Status, Ticket
from sigap.tickets.services import ticket_change_status
from tests import factories

RESOLVED_AT = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def at_resolution() -> Iterator[datetime]:
    with clock.frozen(RESOLVED_AT):
        yield RESOLVED_AT


def resolved_ticket(
    team: Team, agent: User, *, channel: Channel = Channel.EMAIL, language: str = "en"
) -> Ticket:
    """A ticket of `team`, assigned to `agent`, resolved at RESOLVED_AT."""
    customer = factories.make_customer("Wati Susanto", language=language)
    with clock.frozen(RESOLVED_AT - timedelta(hours=2)):
        ticket = factories.make_ticket(
            team=team, customer=customer, assignee=agent, channel=channel
        )
    with clock.frozen(RESOLVED_AT):
        ticket_change_status(ticket=ticket, by=agent, status=Status.RESOLVED)
    return ticket


def surveys_sent(ticket: Ticket) -> list[Survey]:
    """Let the survey delay pass and the executor run: the surveys go out."""
    with clock.frozen(RESOLVED_AT + timedelta(hours=2)):
        run_due_jobs()
    return list(Survey.objects.filter(ticket=ticket).order_by("kind"))


@pytest.fixture
def resolved(team_a: Team, agent: User) -> Ticket:
    return resolved_ticket(team_a, agent)
