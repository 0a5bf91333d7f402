"""The demo desk routes: its agents are at their desks, so its conversations reach them."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from sigap.core.jobs import run_due_jobs
from sigap.routing.models import AgentPresence, Presence, QueueEntry, TeamRouting
from sigap.tickets.events import EventKind
from sigap.tickets.models import ACTIVE_STATUSES, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_every_open_demo_conversation_has_an_agent_or_waits_in_its_queue(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    call_command("demo", tickets=60, stdout=StringIO(), stderr=StringIO())

    assert set(TeamRouting.objects.values_list("is_enabled", flat=True)) == {True}
    active = Ticket.objects.filter(status__in=ACTIVE_STATUSES)
    assert active.exists()
    waiting = set(QueueEntry.objects.values_list("ticket_id", flat=True))
    nobody = active.filter(assignee__isnull=True).exclude(pk__in=waiting)
    assert list(nobody.values_list("pk", flat=True)) == []
    routed = TicketEvent.objects.filter(kind=EventKind.ROUTING_ASSIGNED)
    assert routed.values("data__to_id").distinct().count() >= 4  # spread over the agents
    assert run_due_jobs() == 0  # nothing left over: no alert, no presence to expire
    assert mail.outbox == []  # the history's queue alerts went to made-up addresses
    # Nobody is at a desk once the history is over; signing in brings each agent back.
    sari = AgentPresence.objects.get(user__username="sari")
    assert (sari.status, sari.is_offline_by_choice) == (Presence.OFFLINE, False)
