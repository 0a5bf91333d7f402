"""The mail server refuses (4xx) for a while, then accepts: every reply arrives exactly once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sigap.accounts.models import Team, User
from sigap.core import clock
from sigap.core.jobs import run_due_jobs
from sigap.core.models import Job, JobStatus
from sigap.tickets.models import DeliveryStatus, Message
from sigap.tickets.services import ticket_reply
from tests.factories import make_ticket
from tests.trust.smtp_sink import smtp_sink


def test_replies_queued_while_the_server_refuses_arrive_once_it_accepts(
    agent: User, team_a: Team, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    replies = [
        ticket_reply(ticket=make_ticket(team=team_a), by=agent, body=f"Balasan {n}")
        for n in range(12)
    ]
    with smtp_sink() as (port, sink):
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        sink.refusing.set()
        start = clock.now()
        # Three passes an hour apart while it refuses, then passes until the backoff has
        # brought every reply round again.
        for hour in range(3):
            with clock.frozen(start + timedelta(hours=hour)):
                run_due_jobs()
        refused = sink.refusals
        sink.refusing.clear()
        for hour in range(3, 6):
            with clock.frozen(start + timedelta(hours=hour)):
                run_due_jobs()
                run_due_jobs()

    assert refused == 3 * len(replies)
    assert sum(sink.accepted.values()) == len(replies)
    assert set(sink.accepted.values()) == {1}
    assert set(sink.accepted) == set(
        Message.objects.filter(pk__in=[r.pk for r in replies]).values_list("external_id", flat=True)
    )
    assert not Message.objects.filter(delivery_status=DeliveryStatus.QUEUED).exists()
    deliveries = Job.objects.filter(kind="deliver_message")
    assert set(deliveries.values_list("status", flat=True)) == {JobStatus.DONE}
    # Each reply was tried on each refusing pass and once more when the server accepted.
    assert set(deliveries.values_list("attempts", flat=True)) == {4}
