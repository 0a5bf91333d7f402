"""Calendars, policies, and the timers that hold every response and resolution deadline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import Team
from sigap.tickets.models import Ticket


class Calendar(models.Model):
    """Business hours as data (sigap.sla.calendar_document); teams follow one each."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120)
    document = models.JSONField(_("document"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("business-hours calendar")
        verbose_name_plural = _("business-hours calendars")

    def __str__(self) -> str:
        return self.name


class TeamCalendar(models.Model):
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="calendar_link")
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="team_links")

    class Meta:
        verbose_name = _("team calendar")
        verbose_name_plural = _("team calendars")

    def __str__(self) -> str:
        return f"{self.team} → {self.calendar}"


class Policy(models.Model):
    """Targets and the escalation ladder. A team's own policy wins over the default one.

    Tickets copy their targets into timers when they start, so editing a policy changes new
    tickets only."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120)
    team = models.OneToOneField(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="sla_policy"
    )
    is_default = models.BooleanField(_("default for teams without their own"), default=False)
    document = models.JSONField(_("document"))
    source = models.TextField(_("YAML source"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("response-time policy")
        verbose_name_plural = _("response-time policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="sla_one_default_policy",
            )
        ]

    def __str__(self) -> str:
        return self.name


class TimerKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")
    ESCALATION = "escalation", _("Escalation level")


RESPONSE_KINDS = (TimerKind.FIRST_RESPONSE, TimerKind.NEXT_RESPONSE)


class TimerState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    STOPPED = "stopped", _("Stopped")


# Still counting (or about to count again): the states the one-per-kind constraint covers.
LIVE_STATES = (TimerState.RUNNING, TimerState.PAUSED)


class Timer(models.Model):
    """One deadline of one ticket. `fire_at` is the next instant the executor must act on it
    (the warning, then the breach), so "what is due" is one range scan of sla_timer_fire_idx."""

    # Served by sla_timer_ticket_idx (ticket, kind).
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="sla_timers", db_index=False
    )
    kind = models.CharField(max_length=16, choices=TimerKind.choices)
    state = models.CharField(max_length=8, choices=TimerState.choices)
    # Copied from the policy when the timer starts: later policy edits leave it alone.
    target_seconds = models.PositiveIntegerField()
    is_business_time = models.BooleanField(default=False)
    warn_percent = models.PositiveSmallIntegerField(default=80)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    fire_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # Open (business or calendar) seconds left when paused; the deadline is rebuilt on resume.
    remaining_seconds = models.FloatField(null=True, blank=True)
    paused_seconds = models.FloatField(default=0)
    pause_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("timer")
        verbose_name_plural = _("timers")
        indexes = [
            models.Index(
                fields=["fire_at"],
                name="sla_timer_fire_idx",
                condition=models.Q(fire_at__isnull=False),
            ),
            models.Index(fields=["ticket", "kind"], name="sla_timer_ticket_idx"),
            # The unanswered list: conversations waiting for us, most urgent first.
            models.Index(
                fields=["due_at", "id"],
                name="sla_timer_unanswered_idx",
                condition=models.Q(state="running", kind__in=["first_response", "next_response"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind"],
                condition=models.Q(state__in=["running", "paused"]),
                name="sla_one_live_timer_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.ticket_id} ({self.state})"

    @property
    def is_breached(self) -> bool:
        return self.breached_at is not None


class EscalationCause(models.TextChoices):
    MANUAL = "manual", _("Asked by a person")
    TIMER = "timer", _("Time limit of the level passed")
    CRITERIA = "criteria", _("Matched an escalation criterion")
    SOP = "sop", _("An SOP step escalated")


class Escalation(models.Model):
    """Each climb up the ladder, with who, when and why (the timeline has the same)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    level_name = models.CharField(max_length=80)
    role = models.CharField(max_length=16)
    cause = models.CharField(max_length=8, choices=EscalationCause.choices)
    reason = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        indexes = [
            models.Index(fields=["ticket", "-at", "-id"], name="sla_escalation_ticket_idx"),
            models.Index(fields=["at"], name="sla_escalation_at_idx"),
        ]

    def __str__(self) -> str:
        return f"L{self.level} on {self.ticket_id}"
