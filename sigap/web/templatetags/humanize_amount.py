"""Money as Indonesians write it: 1.500.000."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def rupiah(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    return f"{int(value):,}".replace(",", ".")
