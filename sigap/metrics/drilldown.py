"""The tickets behind a number: each KPI's cohort in a slice, newest first, a page at a time."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from sigap.core.cursor import Page, paginate_desc, paginate_desc_ranges
from sigap.core.errors import InvalidInput
from sigap.feedback.models import Survey, SurveyKind
from sigap.metrics.definitions import COHORTS
from sigap.metrics.kpis import fcr_decided_through
from sigap.metrics.models import TicketFact
from sigap.metrics.slices import Slice
from sigap.sla.models import Escalation

PAGE_SIZE = 50


def _answered(s: Slice, kind: SurveyKind) -> QuerySet[Survey, Any]:
    return Survey.objects.filter(
        kind=kind,
        answered_at__gte=s.period.starts_at,
        answered_at__lt=s.period.ends_at,
        score__isnull=False,
    ).values("ticket_id")


def cohort_tickets(s: Slice, cohort: str) -> QuerySet[TicketFact]:
    """The facts of the tickets a KPI of this slice was counted from (or, for a rate, the
    tickets that made it fall short: breached, reopened, late)."""
    opened = s.facts("opened_on")
    resolved = s.facts("first_resolved_on")
    period = s.period
    if cohort == "opened":
        return opened
    if cohort == "resolved":
        return resolved
    if cohort == "fcr":
        decided = Q(first_resolved_on__lte=fcr_decided_through())
        return resolved.filter(decided, is_first_contact_resolution=True)
    if cohort == "reopened":
        return resolved.filter(reopen_count__gt=0)
    if cohort == "sla_breached":
        return opened.filter(sla_breached__gt=0)
    if cohort == "steps_missed":
        return opened.filter(steps_due__gt=F("steps_on_time"))
    if cohort == "exceptions":
        return opened.filter(exceptions__gt=0)
    if cohort == "csat":
        return TicketFact.objects.filter(s.condition(), pk__in=_answered(s, SurveyKind.CSAT))
    if cohort == "nps":
        return TicketFact.objects.filter(s.condition(), pk__in=_answered(s, SurveyKind.NPS))
    if cohort == "escalated":
        escalated = Escalation.objects.filter(at__gte=period.starts_at, at__lt=period.ends_at)
        return TicketFact.objects.filter(s.condition(), pk__in=escalated.values("ticket_id"))
    if cohort == "retained":
        earlier = s.previous().facts("opened_on").values("customer_id")
        return opened.filter(customer_id__in=earlier)
    if cohort == "backlog":
        active, resolved_later = _backlog_ranges(s)
        return active | resolved_later
    raise InvalidInput(
        _("Unknown list %(cohort)s; choose one of: %(choices)s.")
        % {"cohort": cohort[:40], "choices": ", ".join(COHORTS)},
        field="cohort",
    )


def _backlog_ranges(s: Slice) -> tuple[QuerySet[TicketFact], QuerySet[TicketFact]]:
    opened_before = TicketFact.objects.filter(s.condition(), opened_at__lt=s.period.ends_at)
    return (
        opened_before.filter(closed_on__isnull=True),
        opened_before.filter(closed_on__gte=s.period.end),
    )


def cohort_page(s: Slice, cohort: str, *, cursor: str | None) -> Page[TicketFact]:
    shown = TicketFact.objects.select_related("ticket", "ticket__customer")
    if cohort == "backlog":
        # Still active, or resolved after the end: each range read on its own, in index order.
        return paginate_desc_ranges(
            list(_backlog_ranges(s)), base=shown, field="opened_at", cursor=cursor, size=PAGE_SIZE
        )
    facts = cohort_tickets(s, cohort).select_related("ticket", "ticket__customer")
    return paginate_desc(facts, field="opened_at", cursor=cursor, size=PAGE_SIZE)
