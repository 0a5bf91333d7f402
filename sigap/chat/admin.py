from __future__ import annotations

from django.contrib import admin

from sigap.chat.models import ChatWidget


@admin.register(ChatWidget)
class ChatWidgetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "team", "key", "is_active")
    list_filter = ("is_active", "team")
    search_fields = ("name", "key", "allowed_origins")
    fields = ("name", "team", "key", "allowed_origins", "is_active")
