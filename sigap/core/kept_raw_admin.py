"""Admin pages for what arrived from outside and is kept as it came (mail, webhook bodies)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

RAW_SHOWN_BYTES = 200_000


class KeptRawAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only, never added or deleted by hand; the list never loads every row's raw bytes."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).defer("raw")


def raw_preview(raw: bytes, decode: Callable[[bytes], str]) -> str:
    """The start of what arrived, as text. Escaped by format_html: shown, never rendered."""
    text = decode(raw[:RAW_SHOWN_BYTES])
    if len(raw) > RAW_SHOWN_BYTES:
        text += "\n…"
    return format_html('<pre style="white-space: pre-wrap; max-height: 40em">{}</pre>', text)
