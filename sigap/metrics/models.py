"""Rollups the KPIs are counted from, kept current by the executor (sigap.metrics.refresh).

One fact row per ticket holds what its timeline says about it (times, contacts, reopenings,
SLA outcomes, SOP step outcomes) next to the slice columns (team, agent, channel, SOP), so every
KPI is one grouped SQL aggregation over an index range of these rows, never a walk over
tickets. Slice ids are plain columns, not foreign keys: deleting a team must not rewrite history.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.tickets.models import Ticket

# Every column a period's query filters or groups on, so it never reads the table.
_SLICE_COLUMNS = ["channel", "sop_id", "team_id", "agent_id", "sop_version_id"]
_OPENED_MEASURES = [
    "first_response_seconds",
    "response_count",
    "response_seconds",
    "sla_met",
    "sla_breached",
    "steps_due",
    "steps_on_time",
    "exceptions",
]
_RESOLVED_MEASURES = [
    "first_resolved_at",
    "resolution_seconds",
    "resolution_business_seconds",
    "reopen_count",
    "is_first_contact_resolution",
]


class TicketFact(models.Model):
    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="metrics_fact"
    )
    channel = models.CharField(max_length=16)
    team_id = models.BigIntegerField(null=True)
    agent_id = models.BigIntegerField(null=True)
    customer_id = models.BigIntegerField()
    sop_id = models.BigIntegerField(null=True)
    sop_version_id = models.BigIntegerField(null=True)
    opened_at = models.DateTimeField()
    # Local dates in the desk's time zone: periods are whole local days.
    opened_on = models.DateField()
    # When the same customer last opened a ticket before this one: a customer came back in a
    # period when their first ticket in it has an earlier contact in the period before.
    previous_contact_on = models.DateField(null=True)
    first_response_seconds = models.FloatField(null=True)
    response_count = models.PositiveIntegerField(default=0)
    response_seconds = models.FloatField(default=0)
    first_resolved_at = models.DateTimeField(null=True)
    first_resolved_on = models.DateField(null=True)
    # The latest resolution still standing; null while the ticket is active (backlog).
    closed_on = models.DateField(null=True)
    resolution_seconds = models.FloatField(null=True)
    resolution_business_seconds = models.FloatField(null=True)
    contacts_before_resolution = models.PositiveIntegerField(default=0)
    reopen_count = models.PositiveIntegerField(default=0)
    is_reopened_within_7_days = models.BooleanField(default=False)
    is_first_contact_resolution = models.BooleanField(default=False)
    sla_met = models.PositiveSmallIntegerField(default=0)
    sla_breached = models.PositiveSmallIntegerField(default=0)
    steps_due = models.PositiveSmallIntegerField(default=0)
    steps_on_time = models.PositiveSmallIntegerField(default=0)
    exceptions = models.PositiveSmallIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ticket figures")
        verbose_name_plural = _("ticket figures")
        indexes = [
            # Covering the whole desk's two grouped aggregations, so a month of a million-ticket
            # year is read from the index alone. Key columns, not INCLUDE: SQLite has no
            # INCLUDE, and Django leaves it out there without a word.
            models.Index(
                fields=["opened_on", *_SLICE_COLUMNS, "customer_id", "previous_contact_on"]
                + _OPENED_MEASURES,
                name="metrics_fact_opened_all_idx",
            ),
            models.Index(
                fields=["first_resolved_on", *_SLICE_COLUMNS, *_RESOLVED_MEASURES],
                name="metrics_fact_resol_all_idx",
            ),
            models.Index(fields=["team_id", "opened_on"], name="metrics_fact_team_opened_idx"),
            models.Index(fields=["agent_id", "opened_on"], name="metrics_fact_agent_opened_idx"),
            models.Index(fields=["sop_id", "opened_on"], name="metrics_fact_sop_opened_idx"),
            models.Index(
                fields=["team_id", "first_resolved_on"], name="metrics_fact_team_resol_idx"
            ),
            models.Index(
                fields=["agent_id", "first_resolved_on"], name="metrics_fact_agent_resol_idx"
            ),
            models.Index(fields=["customer_id", "opened_at"], name="metrics_fact_history_idx"),
            models.Index(fields=["closed_on", "opened_on"], name="metrics_fact_closed_idx"),
            models.Index(
                fields=["-opened_at", "-ticket"],
                name="metrics_fact_open_list_idx",
                condition=models.Q(closed_on__isnull=True),
            ),
            # The drill-down lists tickets newest first, one page at a time.
            models.Index(fields=["-opened_at", "-ticket"], name="metrics_fact_list_idx"),
        ]

    def __str__(self) -> str:
        return f"figures of {self.ticket_id}"


class DayFigures(models.Model):
    """The facts summed per local day and per team, channel and SOP version: what tickets
    opened that day add up to, and what tickets first resolved that day add up to.

    A month of the whole desk, a team, a channel or an SOP is then a few thousand of these rows
    instead of a hundred thousand facts. Slices by agent are read from the facts themselves.
    Rebuilt for the days a batch of facts touched (sigap.metrics.rollup)."""

    day = models.DateField()
    team_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=16)
    sop_id = models.BigIntegerField(null=True)
    sop_version_id = models.BigIntegerField(null=True)
    # Tickets opened on `day`.
    tickets = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    first_response = models.FloatField(default=0)
    responses = models.PositiveIntegerField(default=0)
    response_seconds = models.FloatField(default=0)
    sla_met = models.PositiveIntegerField(default=0)
    sla_breached = models.PositiveIntegerField(default=0)
    steps_due = models.PositiveIntegerField(default=0)
    steps_on_time = models.PositiveIntegerField(default=0)
    exceptions = models.PositiveIntegerField(default=0)
    # Tickets first resolved on `day`.
    resolved = models.PositiveIntegerField(default=0)
    resolution_seconds = models.FloatField(default=0)
    resolution_business_seconds = models.FloatField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    first_contact = models.PositiveIntegerField(default=0)
    # Tickets whose latest resolution, still standing, was on `day`: the backlog at a day's
    # end is every ticket opened up to then less every one closed up to then.
    closed = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "team_id"], name="metrics_day_figures_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.team_id} {self.channel} {self.sop_version_id}"


class StepIssueKind(models.TextChoices):
    LATE = "late", _("Done late")
    WAIVED = "waived", _("Waived")
    SPECIAL_POLICY = "special_policy", _("Special policy")


class StepIssue(models.Model):
    """One SOP step of one ticket that was done late, waived, or set aside by a special policy,
    with the ticket's slice columns, so "steps most often late or waived" is one grouped scan."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=StepIssueKind.choices)
    sop_version_id = models.BigIntegerField()
    step_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=16)
    team_id = models.BigIntegerField(null=True)
    agent_id = models.BigIntegerField(null=True)
    sop_id = models.BigIntegerField(null=True)
    opened_on = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["opened_on"], name="metrics_issue_opened_idx"),
            models.Index(fields=["ticket"], name="metrics_issue_ticket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.step_id} on {self.ticket_id}"


class RefreshMark(models.Model):
    """How far the executor has read the timeline: the id of the last event folded into facts."""

    name = models.CharField(max_length=32, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at event {self.last_event_id}"


class ScheduledReport(models.Model):
    """A weekly or monthly report that was generated and mailed: one row per period, so a
    restart or a second worker never mails it twice."""

    period = models.CharField(max_length=16, unique=True)
    generated_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.period
