"""SOPs, their immutable published versions, and their runs on tickets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.tickets.models import Attachment, Ticket


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PILOT = "pilot", _("Pilot")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


LIVE_STATUSES = (VersionStatus.PILOT, VersionStatus.ACTIVE)


class Sop(models.Model):
    key = models.SlugField(_("key"), max_length=64, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("SOP")
        verbose_name_plural = _("SOPs")
        permissions = [
            ("publish_sop", "Can publish and retire SOP versions"),
            ("decide_approvals", "Can decide approvals above an agent's authority"),
            ("grant_special_policy", "Can grant a special policy outside the SOP"),
        ]

    def __str__(self) -> str:
        return self.key


class SopVersion(models.Model):
    """One version of an SOP. Once published its document never changes; runs point at it."""

    sop = models.ForeignKey(Sop, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=VersionStatus.choices)
    title = models.CharField(max_length=255)
    # The validated document (aliases as written, e.g. `from`), and the YAML as its author wrote it.
    document = models.JSONField()
    source = models.TextField()
    change_notes = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sop", "number"], name="sop_version_number_unique"),
            models.UniqueConstraint(
                fields=["sop"],
                condition=models.Q(status__in=["pilot", "active"]),
                name="sop_one_live_version",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="sop_version_status_idx")]

    def __str__(self) -> str:
        return f"{self.sop.key} v{self.number} ({self.status})"


class SopRun(models.Model):
    """A ticket handled under one SOP version. Switching SOP ends this run and starts another."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sop_runs")
    version = models.ForeignKey(SopVersion, on_delete=models.PROTECT, related_name="runs")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # Why this SOP was chosen: the trigger reasons, or the agent's reason for switching to it.
    matched = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(ended_at__isnull=True),
                name="sop_one_current_run_per_ticket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} on {self.ticket_id}"


class StepStatus(models.TextChoices):
    BLOCKED = "blocked", _("Waiting")
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    WAIVED = "waived", _("Waived")
    SKIPPED = "skipped", _("Not needed")


class StepState(models.Model):
    """Where one step of a run stands. Status and deadline are the engine's answer, stored with
    the step's next deadline for the executor (alert_at: its warning, then its deadline), so
    that "what is due" is one index range scan over alert_at.

    Every new ticket writes a row per step, so the table carries only the indexes something
    reads: the people and the file a step points at are never looked up from this side.
    """

    # Served by the unique (run, step_id) constraint's index.
    run = models.ForeignKey(SopRun, on_delete=models.CASCADE, related_name="steps", db_index=False)
    step_id = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=StepStatus.choices)
    deadline_at = models.DateTimeField(null=True, blank=True)
    blocks_resolution = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    waived_at = models.DateTimeField(null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=64, blank=True)
    # An approval asked of someone with more authority: it waits in their queue until decided.
    approval_amount = models.DecimalField(max_digits=14, decimal_places=0, null=True, blank=True)
    approval_note = models.TextField(blank=True)
    approval_requested_at = models.DateTimeField(null=True, blank=True)
    approval_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # The step's next deadline for the executor: to warn that it is near, to say it was missed,
    # or to end a wait. None once nothing more is to happen, so the index holds only what is due.
    alert_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    # The customer's file that satisfied a request_evidence step (kept if it came early).
    evidence = models.ForeignKey(
        Attachment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "step_id"], name="sop_step_unique_in_run")
        ]
        indexes = [
            models.Index(
                fields=["alert_at"],
                name="sop_step_alert_idx",
                condition=models.Q(alert_at__isnull=False),
            ),
            models.Index(
                fields=["approval_requested_at"],
                name="sop_step_approval_queue_idx",
                condition=models.Q(status="open", approval_requested_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_id} ({self.status})"


class Promise(models.Model):
    """A time promised to a customer in a reply, tracked until it is kept (H1)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="promises")
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phrase = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="promises"
    )
    made_at = models.DateTimeField()
    kept_at = models.DateTimeField(null=True, blank=True)
    kept_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["made_by", "due_at"],
                name="promise_open_by_agent_idx",
                condition=models.Q(kept_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                name="promise_open_due_idx",
                condition=models.Q(kept_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phrase} ({self.ticket_id})"


class Acknowledgement(models.Model):
    """A person confirmed they read a published version (A4: the team masters the current SOP)."""

    version = models.ForeignKey(
        SopVersion, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sop_acknowledgements"
    )
    acknowledged_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="sop_ack_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.version}"


class ExceptionKind(models.TextChoices):
    WAIVED = "waived", _("Step waived")
    SPECIAL_POLICY = "special_policy", _("Special policy")


class SopException(models.Model):
    """A step set aside, or a special policy granted outside the SOP (seed 004).

    Kept per SOP version and step so that an SOP which keeps forcing exceptions shows up for
    review. The ticket's timeline has the matching event.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sop_exceptions")
    run = models.ForeignKey(SopRun, on_delete=models.CASCADE, related_name="exceptions")
    # The run's version, stored again so the counts per version are one grouped index scan.
    version = models.ForeignKey(SopVersion, on_delete=models.PROTECT, related_name="exceptions")
    # Empty when a special policy concerns the ticket as a whole rather than one step.
    step_id = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=16, choices=ExceptionKind.choices)
    reason = models.TextField()
    # What a special policy allows for this customer; empty for a plain waiver.
    description = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["version", "at"], name="sop_exception_version_at_idx"),
            models.Index(fields=["at"], name="sop_exception_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.step_id or '-'} on {self.ticket_id}"
