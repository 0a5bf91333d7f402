from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import ApiToken, Invitation, Team, User


@admin.register(User)
class SigapUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "first_name", "last_name", "email", "is_active", "roles")
    list_filter = ("is_active", "groups", "teams")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Desk"), {"fields": ("teams", "language")}),
    )
    filter_horizontal = ("groups", "user_permissions", "teams")

    @admin.display(description=_("roles"))
    def roles(self, user: User) -> str:
        return ", ".join(group.name for group in user.groups.all())

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("groups")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "slug", "email")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Tokens are created with `sigap token create`; here they can only be seen and revoked."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "digest", "created_at", "last_used_at")
    fields = (*readonly_fields, "revoked_at")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Invitations are sent from the Invite people page; here they can be seen or withdrawn
    (deleted), which stops the mailed link from working."""

    list_display = ("email", "role", "created_by", "created_at", "expires_at", "accepted_at")
    list_filter = ("role",)
    search_fields = ("email",)
    readonly_fields = (
        "email",
        "role",
        "teams",
        "created_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "user",
    )
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
