from __future__ import annotations

from django.contrib import admin

from sigap.tickets.models import Category

# Tickets and customers are not here on purpose: every change to them goes through the
# services, which write the timeline; an admin form would change them silently.


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "slug", "is_active")
    list_filter = ("is_active",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)
