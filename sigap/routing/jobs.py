"""Routing work for the executor: presence that went stale, the queue, and supervisors' mail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from sigap.accounts.models import Role
from sigap.core.jobs import due_poller, job_handler
from sigap.routing.services import presence_expire_stale, queue_hand_out
from sigap.sla.responsible import people_in_role
from sigap.tickets.models import Ticket


@due_poller("routing_stale_presence")
def expire_stale_presence() -> int:
    return presence_expire_stale()


@due_poller("routing_queue")
def hand_out_waiting() -> int:
    return queue_hand_out()


@job_handler("routing_queue_alert")
def routing_queue_alert(payload: dict[str, Any]) -> None:
    ticket = Ticket.objects.select_related("team").get(pk=payload["ticket"])
    if ticket.assignee_id is not None:
        return  # an agent took it before the mail went out; nobody needs telling
    team = ticket.team.name if ticket.team else ""
    for person in people_in_role(Role.SUPERVISOR, ticket.team_id).order_by("pk"):
        if not person.email:
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            send_mail(
                subject=f"[{ticket.reference}] "
                + _("Waiting in the %(team)s queue: nobody is free") % {"team": team},
                message=_(
                    "No agent of %(team)s is online with room for this conversation, so it "
                    "waits in the team queue. The first agent who becomes free gets it."
                )
                % {"team": team}
                + f"\n\n{ticket.reference} {ticket.subject}",
                from_email=None,
                recipient_list=[person.email],
            )
