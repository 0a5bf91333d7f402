from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.connectors.egress import ForbiddenDestination
from sigap.connectors.forms import MODEL_FIELDS, ConnectorForm, secret_names
from sigap.connectors.models import Connector, DeliveryStatus, InboundDelivery
from sigap.connectors.registry import PermanentFailure, TemporaryFailure, kind_get
from sigap.connectors.services import (
    connector_new_address,
    connector_set_secrets,
    inbound_reprocess,
)
from sigap.connectors.telegram import telegram_webhook_register
from sigap.core.errors import DomainError
from sigap.core.kept_raw_admin import KeptRawAdmin, raw_preview


def inbound_path(connector: Connector) -> str:
    return reverse("connector_inbound", kwargs={"key": connector.inbound_key})


@admin.register(Connector)
class ConnectorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ConnectorForm
    list_display = (
        "name",
        "kind",
        "team",
        "network",
        "is_enabled",
        "is_trusted",
        "last_received",
        "quarantined",
    )
    list_filter = ("kind", "is_enabled", "team")
    search_fields = ("name", "network")
    readonly_fields = ("inbound_url",)
    actions = ["register_telegram_webhook", "new_address"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = [*MODEL_FIELDS, *secret_names()]
        return [*fields, "inbound_url"] if obj is not None else fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Connector]:
        # What tells an admin an integration broke: silence, or deliveries piling up unread.
        queryset: QuerySet[Connector] = super().get_queryset(request)
        return queryset.annotate(
            last_delivery_at=Max("deliveries__received_at"),
            quarantined_count=Count(
                "deliveries", filter=Q(deliveries__status=DeliveryStatus.QUARANTINED)
            ),
        )

    @admin.display(description=gettext_lazy("last received"), ordering="last_delivery_at")
    def last_received(self, connector: Connector) -> Any:
        return getattr(connector, "last_delivery_at", None)

    @admin.display(description=gettext_lazy("quarantined"), ordering="quarantined_count")
    def quarantined(self, connector: Connector) -> Any:
        count = getattr(connector, "quarantined_count", 0)
        if not count:
            return 0
        url = reverse("admin:connectors_inbounddelivery_changelist")
        return format_html(
            '<a href="{}?connector__id__exact={}&amp;status__exact=quarantined">{}</a>',
            url,
            connector.pk,
            count,
        )

    @admin.display(description=gettext_lazy("inbound URL"))
    def inbound_url(self, connector: Connector) -> str:
        return f"{settings.PUBLIC_URL}{inbound_path(connector)}"

    def save_model(self, request: HttpRequest, obj: Connector, form: Any, change: bool) -> None:
        kind = kind_get(obj.kind)
        entered = {k: v for k, v in form.entered_secrets().items() if k in kind.secret_labels}
        stored = form.stored_secrets()
        made_up = {
            name: secrets.token_urlsafe(32)
            for name in kind.generated
            if not entered.get(name) and not stored.get(name)
        }
        super().save_model(request, obj, form, change)
        connector_set_secrets(connector=obj, secrets={**entered, **made_up})
        address = _absolute(request, inbound_path(obj))
        self.message_user(
            request, _("Messages for %(name)s arrive at %(url)s") % {"name": obj, "url": address}
        )
        for name, value in made_up.items():
            # Shown this once; only its encrypted form is stored.
            self.message_user(
                request,
                _("%(label)s (copy it now, it is not shown again): %(value)s")
                % {"label": kind.secret_labels[name], "value": value},
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Send the selected Telegram bots' updates here"))
    def register_telegram_webhook(
        self, request: HttpRequest, queryset: QuerySet[Connector]
    ) -> None:
        for connector in queryset:
            address = _absolute(request, inbound_path(connector))
            try:
                answer = telegram_webhook_register(connector=connector, inbound_url=address)
            except (PermanentFailure, TemporaryFailure, ForbiddenDestination) as error:
                self.message_user(request, f"{connector}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{connector}: {answer} ({address})")

    @admin.action(description=gettext_lazy("Give the selected connectors a new inbound address"))
    def new_address(self, request: HttpRequest, queryset: QuerySet[Connector]) -> None:
        for connector in queryset:
            connector_new_address(connector=connector)
            self.message_user(
                request,
                _("%(name)s now receives at %(url)s; the old address no longer works.")
                % {"name": connector, "url": _absolute(request, inbound_path(connector))},
                messages.WARNING,
            )


def _absolute(request: HttpRequest, path: str) -> str:
    return (
        f"{settings.PUBLIC_URL}{path}" if settings.PUBLIC_URL else request.build_absolute_uri(path)
    )


@admin.register(InboundDelivery)
class InboundDeliveryAdmin(KeptRawAdmin):
    """Received requests, read-only. Quarantined ones can be processed again once fixed."""

    list_display = ("received_at", "status", "connector", "delivery_id", "ticket")
    list_filter = ("status", "connector")
    search_fields = ("delivery_id",)
    date_hierarchy = "received_at"
    list_select_related = ("connector", "ticket")
    actions = ["reprocess"]
    fields = (
        "status",
        "connector",
        "delivery_id",
        "received_at",
        "headers",
        "error",
        "detail",
        "ticket",
        "reprocessed_by",
        "reprocessed_at",
        "raw_removed_at",
        "raw_body",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("raw body"))
    def raw_body(self, delivery: InboundDelivery) -> str:
        if delivery.raw_removed_at is not None:
            return _("(removed on %(date)s: kept only as long as the retention allows)") % {
                "date": delivery.raw_removed_at.date().isoformat()
            }
        return raw_preview(bytes(delivery.raw), lambda b: b.decode("utf-8", errors="replace"))

    @admin.action(description=gettext_lazy("Process the selected quarantined deliveries again"))
    def reprocess(self, request: HttpRequest, queryset: QuerySet[InboundDelivery]) -> None:
        done = still = 0
        for delivery in queryset.filter(status=DeliveryStatus.QUARANTINED):
            try:
                inbound_reprocess(delivery=delivery, by=request.user)  # type: ignore[arg-type]
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
            if delivery.status == DeliveryStatus.QUARANTINED:
                still += 1
            else:
                done += 1
        self.message_user(
            request,
            _("%(done)s processed, %(still)s still quarantined.") % {"done": done, "still": still},
            messages.SUCCESS if not still else messages.WARNING,
        )
