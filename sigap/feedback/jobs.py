"""Background work for feedback: firing due follow-ups, sending surveys, alerting supervisors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from sigap.core.jobs import due_poller, job_handler
from sigap.feedback.acting import LOW_SCORE_MAIL, supervisors_of
from sigap.feedback.followups import follow_ups_fire_due
from sigap.feedback.links import public_base
from sigap.feedback.models import Survey, SurveyKind
from sigap.feedback.surveys import SEND_SURVEYS, surveys_send


@due_poller("feedback_follow_ups")
def fire_due_follow_ups() -> int:
    return follow_ups_fire_due()


@job_handler(SEND_SURVEYS)
def send_surveys(payload: dict[str, Any]) -> None:
    surveys_send(ticket_id=int(payload["ticket"]))


@job_handler(LOW_SCORE_MAIL)
def low_score_mail(payload: dict[str, Any]) -> None:
    """Mail each supervisor of the ticket's team, in their own language."""
    survey = Survey.objects.select_related("ticket", "ticket__customer").get(pk=payload["survey"])
    ticket = survey.ticket
    link = f"{public_base()}{reverse('ticket', args=[ticket.pk])}"
    for person in supervisors_of(ticket):
        if not person.email:
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            values = {
                "kind": SurveyKind(survey.kind).label,
                "score": survey.score,
                "customer": ticket.customer.display_name,
            }
            lines = [
                _("%(customer)s gave a low score: %(kind)s %(score)s.") % values,
                _("Comment: %(comment)s") % {"comment": survey.comment or "—"},
                _("Contact the customer soon and record what was done:") + f"\n{link}",
                f"{ticket.reference} {ticket.subject}",
            ]
            EmailMessage(
                subject=f"[{ticket.reference}] " + _("Low satisfaction score"),
                body="\n\n".join(lines),
                to=[person.email],
                headers={"Auto-Submitted": "auto-generated"},
            ).send(fail_silently=False)
