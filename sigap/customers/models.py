"""Customers and the identities by which they reach us on each channel."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Email address")
    PHONE = "phone", _("Phone number")
    CHAT = "chat", _("Chat visitor")
    SOCIAL = "social", _("Social handle")


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="id")
    is_vip = models.BooleanField(_("VIP"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    # Set when this record was merged into another; kept so old links still resolve.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [("merge_customers", "Can merge two customer records")]
        indexes = [models.Index(fields=["name"], name="customer_name_idx")]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"

    @property
    def display_name(self) -> str:
        return self.name or str(_("Unnamed customer"))


class CustomerIdentity(models.Model):
    """One address on one channel. `value` is normalised so lookups are exact."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=16, choices=IdentityKind.choices)
    # For social handles: the network, e.g. "instagram" or "telegram".
    network = models.CharField(_("network"), max_length=32, blank=True)
    value = models.CharField(_("value"), max_length=320)
    is_verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "network", "value"], name="identity_unique_per_channel"
            )
        ]
        indexes = [
            # Pattern ops on PostgreSQL so a search by the start of an address (LIKE 'x%') is a
            # range scan too; an equality lookup uses it as well. Other databases ignore them.
            models.Index(
                fields=["value"], name="identity_value_idx", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.network + ':' if self.network else ''}{self.value}"
