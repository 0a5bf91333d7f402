"""Background work for response times: firing due timers and mailing the people in charge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core.jobs import due_poller, job_handler
from sigap.sla.firing import sla_fire_due
from sigap.sla.models import Escalation, Timer, TimerKind
from sigap.sla.responsible import responsible_people
from sigap.tickets.models import Ticket


@due_poller("sla_timers")
def fire_due_timers() -> int:
    return sla_fire_due()


def _mail(people: list[User], ticket: Ticket, words: Callable[[], tuple[str, str]]) -> None:
    """Mail each person in their own language: `words` gives the subject and the body and is
    called under that language, so its gettext calls translate for the reader."""
    for person in people:
        if not person.email:
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            subject, body = words()
            send_mail(
                subject=f"[{ticket.reference}] {subject}",
                message=f"{body}\n\n{ticket.reference} {ticket.subject}",
                from_email=None,
                recipient_list=[person.email],
            )


def _when(timer: Timer) -> str:
    return localtime(timer.due_at).strftime("%Y-%m-%d %H:%M %Z") if timer.due_at else "-"


@job_handler("sla_alert_email")
def sla_alert_email(payload: dict[str, Any]) -> None:
    timer = Timer.objects.select_related("ticket", "ticket__assignee").get(pk=payload["timer"])

    def words() -> tuple[str, str]:
        values = {"target": TimerKind(timer.kind).label, "due": _when(timer)}
        if payload["stage"] == "warning":
            return (
                _("%(target)s target almost missed") % values,
                _("The %(target)s target of this ticket runs out at %(due)s.") % values,
            )
        return (
            _("%(target)s target missed") % values,
            _("The %(target)s target of this ticket ran out at %(due)s.") % values,
        )

    _mail(responsible_people(timer.ticket, "agent"), timer.ticket, words)


@job_handler("sla_escalation_email")
def sla_escalation_email(payload: dict[str, Any]) -> None:
    escalation = Escalation.objects.select_related("ticket", "ticket__assignee").get(
        pk=payload["escalation"]
    )
    values = {"level": escalation.level_name, "reason": escalation.reason}
    _mail(
        responsible_people(escalation.ticket, escalation.role),
        escalation.ticket,
        lambda: (
            _("Escalated to %(level)s") % values,
            _("This ticket was escalated to %(level)s. Reason: %(reason)s") % values,
        ),
    )
