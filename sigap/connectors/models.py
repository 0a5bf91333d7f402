"""Messaging connectors: where social and messaging conversations come in and go out."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import Team
from sigap.connectors.registry import kind_choices
from sigap.tickets.models import Message, Ticket


def new_inbound_key() -> str:
    return secrets.token_urlsafe(32)


# The name migration 0001 gives the field's default.
_inbound_key = new_inbound_key


class Connector(models.Model):
    """One channel account (a Telegram bot, a webhook gateway) whose messages become tickets.

    Its inbound URL carries an unguessable key; its secrets are stored encrypted (vault.py).
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=kind_choices)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="connectors", verbose_name=_("team")
    )
    network = models.SlugField(
        _("network"),
        max_length=32,
        help_text=_(
            "Which network the senders' ids belong to, e.g. telegram, instagram, whatsapp. "
            "A customer is recognised by their id within it."
        ),
    )
    outbound_url = models.URLField(
        _("outbound URL"),
        max_length=500,
        blank=True,
        help_text=_(
            "Where replies are sent (webhook), or the Bot API address (Telegram; empty for "
            "the official one)."
        ),
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    is_trusted = models.BooleanField(
        _("trusted"),
        default=False,
        help_text=_("Only a trusted connector (our own systems) may set priority and category."),
    )
    inbound_key = models.CharField(max_length=64, unique=True, default=_inbound_key)
    sealed_secrets = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("connector")
        verbose_name_plural = _("connectors")

    def __str__(self) -> str:
        return self.name


class ConnectorTicket(models.Model):
    """Which connector and external conversation a ticket belongs to, for threading and replies."""

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="connector_link"
    )
    connector = models.ForeignKey(Connector, on_delete=models.PROTECT, related_name="tickets")
    conversation_id = models.CharField(max_length=255)

    class Meta:
        indexes = [
            models.Index(
                fields=["connector", "conversation_id", "-ticket"], name="connector_conv_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.connector} {self.conversation_id}"


class DeliveryStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DUPLICATE = "duplicate", _("Duplicate")
    IGNORED = "ignored", _("Ignored (nothing for the desk)")
    QUARANTINED = "quarantined", _("Quarantined")


class InboundDelivery(models.Model):
    """One authentic request a connector received, kept with its raw body whatever became of it.

    Requests that fail authentication are not kept: anybody could send them.
    """

    connector = models.ForeignKey(
        Connector, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("connector")
    )
    # The sender's id for this delivery (header, Telegram update_id): a replay is recognised.
    delivery_id = models.CharField(_("delivery id"), max_length=255, blank=True)
    raw = models.BinaryField(_("raw body"))
    headers = models.JSONField(_("headers"), default=dict)
    received_at = models.DateTimeField(_("received"))
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices)
    error = models.TextField(_("error"), blank=True)
    detail = models.TextField(_("detail"), blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reprocessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reprocessed_at = models.DateTimeField(null=True, blank=True)
    # When the raw body and headers of a processed delivery were removed (retention.py).
    raw_removed_at = models.DateTimeField(_("raw body removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound delivery")
        verbose_name_plural = _("inbound deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "delivery_id"],
                name="delivery_unique_per_connector",
                condition=~models.Q(delivery_id=""),
            )
        ]
        indexes = [
            models.Index(fields=["connector", "-received_at"], name="delivery_connector_idx"),
            models.Index(fields=["status", "-received_at"], name="delivery_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.connector} {self.delivery_id or self.pk} ({self.get_status_display()})"


class ConnectorMessage(models.Model):
    """A message taken from a connector: its external id is taken once (idempotent intake)."""

    connector = models.ForeignKey(Connector, on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField(max_length=255)
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(
        InboundDelivery, null=True, on_delete=models.SET_NULL, related_name="messages"
    )
    # Files the message announced (Telegram file ids), for fetching them later.
    files = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "external_id"], name="connector_message_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.connector_id}:{self.external_id}"
