"""What the desk writes to the customer, in the customer's language."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sigap.feedback.models import Survey, SurveyKind
from sigap.tickets.models import Ticket


def customer_language(ticket: Ticket) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return ticket.language if ticket.language in codes else str(settings.LANGUAGE_CODE)


def _greeting(ticket: Ticket) -> str:
    return _("Hello %(name)s,") % {"name": ticket.customer.display_name}


def survey_message(ticket: Ticket, links: list[tuple[Survey, str]], days: int) -> str:
    with translation.override(customer_language(ticket)):
        lines = [
            _greeting(ticket),
            _("Your request %(reference)s has been resolved. How did we do?")
            % {"reference": ticket.reference},
        ]
        for survey, url in links:
            if survey.kind == SurveyKind.CSAT:
                lines.append(_("Rate our service (1–5):") + f"\n{url}")
            else:
                lines.append(
                    _("How likely are you to recommend us to a friend (0–10)?") + f"\n{url}"
                )
        lines.append(
            ngettext(
                "The link works for %(days)d day. Thank you for your time.",
                "The links work for %(days)d days. Thank you for your time.",
                days,
            )
            % {"days": days}
        )
        return "\n\n".join(lines)


def follow_up_message(ticket: Ticket, url: str) -> str:
    with translation.override(customer_language(ticket)):
        return "\n\n".join(
            [
                _greeting(ticket),
                _(
                    "A few days ago we resolved your request %(reference)s. We would like to "
                    "make sure everything is in order now."
                )
                % {"reference": ticket.reference},
                _("Is the problem solved? One click tells us:") + f"\n{url}",
                _("Or simply reply to this message. Thank you!"),
            ]
        )


def thanks_message(ticket: Ticket) -> str:
    with translation.override(customer_language(ticket)):
        return "\n\n".join(
            [
                _greeting(ticket),
                _(
                    "Thank you for your kind rating of our help with %(reference)s. It means a "
                    "lot to our team, and we are glad we could help."
                )
                % {"reference": ticket.reference},
            ]
        )
