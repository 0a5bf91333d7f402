"""Satisfaction surveys, follow-ups after resolution, and the recovery tasks a low score opens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.tickets.models import Ticket


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("Satisfaction (CSAT, 1–5)")
    NPS = "nps", _("Recommendation (NPS, 0–10)")


class Survey(models.Model):
    """A question sent to the customer and, once answered, the answer.

    Answering again updates this row, so a ticket never counts twice in CSAT or NPS."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="surveys")
    kind = models.CharField(_("kind"), max_length=8, choices=SurveyKind.choices)
    sent_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # How the link reached the customer: email, social, chat.
    channel = models.CharField(_("sent by"), max_length=16, blank=True)
    # The low-score alert and the thank-you go out once per survey, whatever the re-answers.
    alerted_at = models.DateTimeField(null=True, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="survey_one_per_ticket_kind"),
        ]
        indexes = [
            # Reports count answers by the time they were given.
            models.Index(
                fields=["kind", "answered_at"],
                name="survey_answered_idx",
                condition=models.Q(answered_at__isnull=False),
            ),
            # The comments page pages through answered comments, newest first.
            models.Index(
                fields=["-answered_at", "-id"],
                name="survey_comment_idx",
                condition=models.Q(answered_at__isnull=False) & ~models.Q(comment=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ticket_id}"

    @property
    def is_low(self) -> bool:
        return self.score is not None and self.score <= LOW_SCORE[SurveyKind(self.kind)]

    @property
    def is_high(self) -> bool:
        return self.score is not None and self.score >= HIGH_SCORE[SurveyKind(self.kind)]


SCORE_RANGE = {SurveyKind.CSAT: (1, 5), SurveyKind.NPS: (0, 10)}
# At or below: the supervisor is alerted at once. At or above: the customer is thanked.
LOW_SCORE = {SurveyKind.CSAT: 2, SurveyKind.NPS: 6}
HIGH_SCORE = {SurveyKind.CSAT: 4, SurveyKind.NPS: 9}


class FollowUpMode(models.TextChoices):
    TASK = "task", _("Task for the agent")
    MESSAGE = "message", _("Message to the customer")


class FollowUpState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    # The message went out; the customer's answer is awaited until `check_at`.
    WAITING = "waiting", _("Waiting for the customer")
    # The task is due: the agent contacts the customer and records the result.
    DUE = "due", _("Due")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class FollowUpResult(models.TextChoices):
    SATISFIED = "satisfied", _("Customer satisfied")
    PROBLEM_CONTINUES = "problem_continues", _("Problem continues")
    NO_ANSWER = "no_answer", _("No answer")


OPEN_FOLLOW_UP_STATES = (FollowUpState.SCHEDULED, FollowUpState.WAITING, FollowUpState.DUE)


class FollowUp(models.Model):
    """One follow-up with the customer after a resolution (MISSION F1).

    `check_at` is when the executor must next look at the row: the follow-up's due time while
    scheduled, the end of the answer window while waiting; empty once nothing is left to fire.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="follow_ups")
    mode = models.CharField(_("mode"), max_length=8, choices=FollowUpMode.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=FollowUpState.choices, default=FollowUpState.SCHEDULED
    )
    due_at = models.DateTimeField(_("due"))
    check_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    created_at = models.DateTimeField()
    fired_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=20, choices=FollowUpResult.choices, blank=True
    )
    result_at = models.DateTimeField(null=True, blank=True)
    result_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            # One open follow-up per ticket: a second resolution replaces, never adds.
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(state__in=["scheduled", "waiting", "due"]),
                name="follow_up_one_open_per_ticket",
            ),
        ]
        indexes = [
            # What is due: one range scan over the rows still waiting to fire.
            models.Index(
                fields=["check_at"],
                name="follow_up_check_idx",
                condition=models.Q(check_at__isnull=False),
            ),
            # An agent's task list, soonest first.
            models.Index(
                fields=["assignee", "due_at", "id"],
                name="follow_up_assignee_idx",
                condition=models.Q(state__in=["scheduled", "due"]),
            ),
        ]

    def __str__(self) -> str:
        return f"follow-up {self.ticket_id} ({self.state})"


class RecoveryTask(models.Model):
    """Winning back a customer who gave a low score: a supervisor calls them and writes down
    what was done."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="recovery_tasks")
    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="recovery")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recovery_tasks",
    )
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("recovery task")
        verbose_name_plural = _("recovery tasks")
        indexes = [
            models.Index(
                fields=["due_at", "id"],
                name="recovery_open_idx",
                condition=models.Q(done_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"recovery {self.ticket_id}"
