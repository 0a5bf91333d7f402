"""What each KPI means, in the words shown next to its number (dashboard, reports, API).

Pure definitions: no database, no clock. The counting itself is in sigap.metrics.kpis; each
definition says which tickets a period holds for that KPI, so a number can always be traced to
the tickets behind it (the drill-down lists exactly those).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kpi:
    key: str
    name: Promise
    definition: Promise
    # "seconds", "percent", "score" (NPS, −100…100) or "count"
    unit: str
    # Which tickets the drill-down lists for this number; None when it lists none.
    cohort: str | None


KPIS: tuple[Kpi, ...] = (
    Kpi(
        "tickets_opened",
        _("Tickets opened"),
        _("Tickets opened in the period (by their opening time in the desk's time zone)."),
        "count",
        "opened",
    ),
    Kpi(
        "first_response_time",
        _("First response time"),
        _(
            "Average time from opening a ticket to the first answer to the customer, over "
            "tickets opened in the period that have been answered. Calendar time. A phone call "
            "or visit is answered the moment it is logged."
        ),
        "seconds",
        "opened",
    ),
    Kpi(
        "average_response_time",
        _("Average response time"),
        _(
            "Average, over every reply to the customer on tickets opened in the period, of the "
            "time since the customer's earliest message that was still unanswered. Calendar "
            "time; automatic notices are not replies."
        ),
        "seconds",
        "opened",
    ),
    Kpi(
        "resolution_time",
        _("Resolution time (calendar)"),
        _(
            "Average time from opening to the first resolution, over tickets first resolved in "
            "the period, less the time spent waiting for the customer (status “pending "
            "customer”). Every hour of the day counts."
        ),
        "seconds",
        "resolved",
    ),
    Kpi(
        "resolution_business_time",
        _("Resolution time (business hours)"),
        _(
            "The same tickets and interval as the calendar resolution time, counting only the "
            "open hours of the team's business calendar (lunch breaks, weekends and holidays "
            "left out)."
        ),
        "seconds",
        "resolved",
    ),
    Kpi(
        "first_contact_resolution",
        _("First-contact resolution"),
        _(
            "Of the tickets first resolved in the period whose 7 days for a reopening are over "
            "(resolved on a day more than 7 days before today), the share resolved on the "
            "customer's first contact and not reopened within 7 days of that resolution. "
            "A contact is a customer message (or logged call or visit) that follows an answer "
            "or opens the ticket; several messages in a row before any answer are one contact. "
            "More recent resolutions are not counted yet."
        ),
        "percent",
        "fcr",
    ),
    Kpi(
        "csat",
        _("Customer satisfaction (CSAT)"),
        _(
            "Share of satisfaction answers given in the period that scored 4 or 5 out of 5. "
            "Surveys sent but never answered are not counted."
        ),
        "percent",
        "csat",
    ),
    Kpi(
        "nps",
        _("Net Promoter Score (NPS)"),
        _(
            "Of the recommendation answers given in the period: percentage of promoters (9–10) "
            "minus percentage of detractors (0–6), from −100 to 100. Unanswered surveys are not "
            "counted."
        ),
        "score",
        "nps",
    ),
    Kpi(
        "retention",
        _("Customer retention"),
        _(
            "Of the customers who opened at least one ticket in the previous period of the same "
            "length, the share who opened at least one ticket in this period (within the same "
            "team, agent, channel or SOP when one is chosen)."
        ),
        "percent",
        "retained",
    ),
    Kpi(
        "sla_compliance",
        _("Response-time compliance (SLA)"),
        _(
            "Of the first-response, next-response and resolution targets of tickets opened in "
            "the period that have an outcome, the share met without a breach. Targets still "
            "running, and targets stopped because they no longer applied, are not counted."
        ),
        "percent",
        "sla_breached",
    ),
    Kpi(
        "sop_step_compliance",
        _("SOP step compliance"),
        _(
            "Of the SOP steps with a deadline that were done or waived, on tickets opened in "
            "the period, the share done by their deadline. A waived step is not compliant; "
            "steps still open are not counted yet."
        ),
        "percent",
        "steps_missed",
    ),
    Kpi(
        "exceptions",
        _("SOP exceptions"),
        _(
            "Steps waived and special policies granted on tickets opened in the period, listed "
            "per SOP step below."
        ),
        "count",
        "exceptions",
    ),
    Kpi(
        "escalations",
        _("Escalations"),
        _(
            "Climbs up the escalation ladder made in the period, by level (L1 agent, L2 "
            "supervisor, L3 manager), whatever the cause."
        ),
        "count",
        "escalated",
    ),
    Kpi(
        "reopen_rate",
        _("Reopen rate"),
        _(
            "Of the tickets first resolved in the period, the share reopened at least once since "
            "(at any time)."
        ),
        "percent",
        "reopened",
    ),
    Kpi(
        "backlog",
        _("Backlog"),
        _(
            "Tickets opened before the end of the period and not resolved at its end. A reopened "
            "ticket counts as open until its latest resolution."
        ),
        "count",
        "backlog",
    ),
)

BY_KEY = {kpi.key: kpi for kpi in KPIS}
COHORTS = sorted({kpi.cohort for kpi in KPIS if kpi.cohort})
