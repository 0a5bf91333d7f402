from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from sigap.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """View-only: the log is evidence, so nobody edits it, not even an admin."""

    list_display = ["at", "actor", "action", "summary", "ip"]
    list_filter = ["action"]
    search_fields = ["summary", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
