"""An overdue SOP step is announced live to the agents who may see the ticket."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from sigap.accounts.models import Team, User
from sigap.core import clock
from sigap.server import application
from sigap.sops.firing import sop_fire_due, steps_claim_due
from sigap.sops.models import SopVersion
from sigap.tickets.events import EventKind
from sigap.tickets.models import TicketEvent
from tests import factories

# The notice goes out when the executor's transaction commits, so commits must be real.
pytestmark = pytest.mark.django_db(transaction=True)


def _signed_in_headers(user: User) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [
        (b"origin", b"http://localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode()),
    ]


def test_the_assignee_hears_of_the_overdue_step_live(
    damaged_product: SopVersion, team_a: Team, agent: User
) -> None:
    ticket = factories.make_ticket(team=team_a, subject="Vas pecah", assignee=agent)
    later = ticket.created_at + timedelta(hours=2)
    headers = _signed_in_headers(agent)

    async def scenario() -> Any:
        socket = WebsocketCommunicator(application, "/ws/inbox/", headers=headers)
        assert (await socket.connect())[0]
        await sync_to_async(sop_fire_due)(now=later)
        notice = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return notice

    assert async_to_sync(scenario)() == {
        "event": "sla",
        "ticket": ticket.pk,
        "reference": ticket.reference,
        "stage": "step_overdue",
        "target": "acknowledge",
    }


@pytest.mark.postgres
def test_two_executors_never_take_the_same_step(damaged_product: SopVersion, team_a: Team) -> None:
    with clock.frozen(clock.now() - timedelta(hours=3)):
        tickets = [factories.make_ticket(team=team_a, subject="Vas pecah") for _ in range(3)]
    now = clock.now()
    claimed = threading.Event()
    release = threading.Event()
    held: list[int] = []

    def first_executor() -> None:
        try:
            with transaction.atomic():
                held.extend(s.run.ticket_id for s in steps_claim_due(now, 2))
                claimed.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=first_executor)
    worker.start()
    try:
        assert claimed.wait(10)
        # The rows the first executor holds are skipped, not waited for.
        assert sop_fire_due(now=now) == 1
    finally:
        release.set()
        worker.join(10)
    assert sop_fire_due(now=now) == 2
    fired = TicketEvent.objects.filter(kind=EventKind.SOP_STEP_OVERDUE)
    assert sorted(fired.values_list("ticket_id", flat=True)) == sorted(t.pk for t in tickets)
    assert len(held) == 2
