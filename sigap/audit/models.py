"""The audit log: who did what to which record, and when. Rows are only ever added."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"))
    # Null for the system itself and for failed sign-ins of unknown names.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=300)
    data = models.JSONField(_("data"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["at", "id"], name="audit_at_id_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: an entry, once written, is never rewritten through the ORM.
        if self.pk is not None and not self._state.adding:
            raise PermissionError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit entries cannot be deleted")
