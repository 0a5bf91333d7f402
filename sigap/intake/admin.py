from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.core.errors import DomainError
from sigap.core.kept_raw_admin import KeptRawAdmin, raw_preview
from sigap.intake.models import InboundEmail, InboundStatus, Mailbox
from sigap.intake.parsing import decode_bytes
from sigap.intake.services import email_reprocess

# The admin page shows this much of the raw source; the whole of it stays in the database.


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "name",
        "team",
        "imap_host",
        "imap_username",
        "is_active",
        "is_trusted",
        "last_polled_at",
        "last_poll_error",
    )
    list_filter = ("is_active", "is_trusted", "team")
    search_fields = ("name", "imap_host", "imap_username")
    readonly_fields = ("next_poll_at", "last_polled_at", "last_poll_error")
    fieldsets = (
        (None, {"fields": ("name", "team", "is_active", "is_trusted")}),
        (
            gettext_lazy("IMAP"),
            {
                "fields": (
                    "imap_host",
                    "imap_port",
                    "imap_ssl",
                    "imap_username",
                    "password_env",
                    "folder",
                    "processed_folder",
                )
            },
        ),
        (
            gettext_lazy("Polling"),
            {"fields": ("next_poll_at", "last_polled_at", "last_poll_error")},
        ),
    )


@admin.register(InboundEmail)
class InboundEmailAdmin(KeptRawAdmin):
    """Received mail, read-only. Quarantined mail can be processed again once fixed."""

    list_display = ("received_at", "status", "mailbox", "from_address", "subject", "ticket")
    list_filter = ("status", "mailbox")
    search_fields = ("message_id", "from_address", "subject")
    date_hierarchy = "received_at"
    list_select_related = ("mailbox", "ticket")
    actions = ["reprocess"]
    fields = (
        "status",
        "mailbox",
        "message_id",
        "from_address",
        "subject",
        "received_at",
        "size",
        "is_truncated",
        "error",
        "detail",
        "ticket",
        "ticket_message",
        "reprocessed_by",
        "reprocessed_at",
        "raw_source",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("raw source"))
    def raw_source(self, inbound: InboundEmail) -> str:
        return raw_preview(bytes(inbound.raw), lambda b: decode_bytes(b, None))

    @admin.action(description=gettext_lazy("Process the selected quarantined mail again"))
    def reprocess(self, request: HttpRequest, queryset: QuerySet[InboundEmail]) -> None:
        done = still = 0
        for inbound in queryset.filter(status=InboundStatus.QUARANTINED):
            try:
                result = email_reprocess(inbound=inbound, by=request.user)  # type: ignore[arg-type]
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
            if result.status == InboundStatus.QUARANTINED:
                still += 1
            else:
                done += 1
        self.message_user(
            request,
            _("%(done)s processed, %(still)s still quarantined.") % {"done": done, "still": still},
            messages.SUCCESS if not still else messages.WARNING,
        )
