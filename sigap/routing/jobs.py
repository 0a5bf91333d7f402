"""Routing work for the executor: presence that went stale, the queue, and supervisors' mail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from sigap.accounts.models import Role, Team
from sigap.core.jobs import due_poller, job_handler
from sigap.routing.models import QueueEntry
from sigap.routing.services import presence_expire_stale, queue_hand_out
from sigap.sla.responsible import people_in_role
from sigap.tickets.models import ACTIVE_STATUSES


@due_poller("routing_stale_presence")
def expire_stale_presence() -> int:
    return presence_expire_stale()


@due_poller("routing_queue")
def hand_out_waiting() -> int:
    return queue_hand_out()


# Waiting conversations named in one alert mail; the queue page shows them all.
ALERT_NAMES = 20


@job_handler("routing_queue_alert")
def routing_queue_alert(payload: dict[str, Any]) -> None:
    """Mail the team's supervisors what waits in its queue now (one mail per team at most every
    few minutes, see `sigap.routing.services.alert_every`)."""
    if "team" in payload:
        team = Team.objects.filter(pk=payload["team"]).first()
    else:  # a job queued before alerts were grouped by team
        team = Team.objects.filter(tickets__pk=payload["ticket"]).first()
    if team is None:
        return  # the ticket or its team was deleted since; nothing waits to tell about
    waiting = QueueEntry.objects.filter(
        team=team, ticket__assignee__isnull=True, ticket__status__in=ACTIVE_STATUSES
    )
    count = waiting.count()
    if not count:
        return  # agents took them before the mail went out; nobody needs telling
    tickets = [
        entry.ticket
        for entry in waiting.select_related("ticket").order_by("queued_at", "id")[:ALERT_NAMES]
    ]
    listed = "\n".join(f"{ticket.reference} {ticket.subject}" for ticket in tickets)
    for person in people_in_role(Role.SUPERVISOR, team.pk).order_by("pk"):
        if not person.email:
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            if count == 1:
                subject = f"[{tickets[0].reference}] " + _(
                    "Waiting in the %(team)s queue: nobody is free"
                ) % {"team": team.name}
                told = _(
                    "No agent of %(team)s is online with room for this conversation, so it "
                    "waits in the team queue. The first agent who becomes free gets it."
                ) % {"team": team.name}
            else:
                subject = _(
                    "%(count)s conversations waiting in the %(team)s queue: nobody is free"
                ) % {"count": count, "team": team.name}
                told = _(
                    "No agent of %(team)s is online with room for these conversations, so "
                    "they wait in the team queue. The first agent who becomes free gets the "
                    "oldest. More that wait soon after come in the next mail, and all of them "
                    "are on the queue page."
                ) % {"team": team.name}
            more = ""
            if count > len(tickets):
                more = "\n" + _("and %(count)s more on the queue page.") % {
                    "count": count - len(tickets)
                }
            send_mail(
                subject=subject,
                message=f"{told}\n\n{listed}{more}",
                from_email=None,
                recipient_list=[person.email],
            )
