"""Normalising identities so the same person is found however they typed their address."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from sigap.core.errors import InvalidInput
from sigap.customers.models import IdentityKind

_PHONE_NOISE = re.compile(r"[\s().\-/]")
_HANDLE = re.compile(r"^[\w.\-]{1,100}$")


def normalise_identity(kind: str, value: str) -> str:
    """The canonical form of an identity, or InvalidInput with a plain reason."""
    value = value.strip()
    if not value:
        raise InvalidInput(_("The value is empty."), field="value")
    if kind == IdentityKind.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise InvalidInput(
                _("%(value)s is not a valid email address.") % {"value": value}, field="value"
            ) from None
        return value.lower()
    if kind == IdentityKind.PHONE:
        return _normalise_phone(value)
    if kind == IdentityKind.SOCIAL:
        handle = value.lstrip("@").lower()
        if not _HANDLE.match(handle):
            raise InvalidInput(
                _("%(value)s is not a valid handle.") % {"value": value}, field="value"
            )
        return handle
    if kind == IdentityKind.CHAT:
        if len(value) > 200:
            raise InvalidInput(_("The visitor id is too long."), field="value")
        return value
    raise InvalidInput(_("Unknown identity kind %(kind)s.") % {"kind": kind}, field="kind")


def _normalise_phone(value: str) -> str:
    digits = _PHONE_NOISE.sub("", value)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        # A national Indonesian number: 0812… is +62812….
        digits = "62" + digits[1:]
    if not digits.isdigit() or not 7 <= len(digits) <= 15:
        raise InvalidInput(
            _("%(value)s is not a valid phone number.") % {"value": value}, field="value"
        )
    return "+" + digits
