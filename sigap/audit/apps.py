from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sigap.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from sigap.audit import hooks  # noqa: F401  (connects the signal receivers)
