"""Satisfaction surveys: one CSAT and one NPS question at most per ticket."""

from __future__ import annotations

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
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ticket_id}"
