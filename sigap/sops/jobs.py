"""Background work for SOP steps: the executor's pass over due steps, and the alert mails."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core.jobs import due_poller, job_handler
from sigap.sla.responsible import responsible_people
from sigap.sops.firing import sop_fire_due
from sigap.sops.models import StepState
from sigap.sops.runs import version_document
from sigap.tickets.models import Ticket


@due_poller("sop_steps")
def fire_due_steps() -> int:
    return sop_fire_due()


def step_people(ticket: Ticket, responsible: str) -> list[User]:
    """Who answers for a step: a role as on the escalation ladder (the assignee for "agent"),
    or the members of the team the SOP names; nobody there, the ticket's supervisors."""
    if responsible.startswith("team:"):
        members = list(
            User.objects.filter(is_active=True, teams__slug=responsible[5:]).order_by("pk")
        )
        return members or responsible_people(ticket, "supervisor")
    return responsible_people(ticket, responsible)


@job_handler("sop_step_alert_email")
def sop_step_alert_email(payload: dict[str, Any]) -> None:
    state = StepState.objects.select_related("run__version__sop", "run__ticket__assignee").get(
        pk=payload["step"]
    )
    ticket = state.run.ticket
    step = version_document(state.run.version).step(state.step_id)
    due = localtime(state.deadline_at).strftime("%Y-%m-%d %H:%M %Z") if state.deadline_at else "-"
    for person in step_people(ticket, step.responsible):
        if not person.email:
            continue
        language = person.language or settings.LANGUAGE_CODE
        with translation.override(language):
            values = {"step": step.title.get(language[:2]), "due": due}
            if payload["stage"] == "warning":
                subject = _("SOP step due soon: %(step)s") % values
                body = _("The SOP step “%(step)s” on this ticket is due at %(due)s.") % values
            else:
                subject = _("SOP step overdue: %(step)s") % values
                body = _("The SOP step “%(step)s” on this ticket was due at %(due)s.") % values
            send_mail(
                subject=f"[{ticket.reference}] {subject}",
                message=f"{body}\n\n{ticket.reference} {ticket.subject}",
                from_email=None,
                recipient_list=[person.email],
            )
