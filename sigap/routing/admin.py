"""Admin pages where an admin sets each agent's capacity and skills and each team's strategy."""

from __future__ import annotations

from django.contrib import admin

from sigap.routing.models import AgentPresence, QueueEntry, TeamRouting


@admin.register(AgentPresence)
class AgentPresenceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "status", "last_seen", "chat_capacity", "other_capacity", "languages"]
    list_filter = ["status"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    fields = ["user", "status", "chat_capacity", "other_capacity", "languages", "categories"]
    filter_horizontal = ["categories"]
    autocomplete_fields = ["user"]


@admin.register(TeamRouting)
class TeamRoutingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["team", "is_enabled", "strategy"]
    list_editable = ["is_enabled", "strategy"]


@admin.register(QueueEntry)
class QueueEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["ticket", "team", "queued_at", "channel", "language", "alerted_at"]
    list_filter = ["team", "channel"]
    ordering = ["queued_at", "id"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
