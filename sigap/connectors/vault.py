"""Connector secrets (signing keys, bot tokens) are stored encrypted, never as plain text.

The key is derived from the desk's SECRET_KEY, so a database dump or a backup alone does not
reveal a bot token. Changing SECRET_KEY makes the stored secrets unreadable: the admin then
enters them again, and the connector says so rather than failing silently.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.translation import gettext as _


class SecretsUnreadable(Exception):
    """The stored secrets were written under another SECRET_KEY."""


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"sigap-connector-secrets:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(secrets: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(secrets, sort_keys=True).encode()).decode()


def unseal(sealed: str) -> dict[str, str]:
    if not sealed:
        return {}
    try:
        opened = json.loads(_fernet().decrypt(sealed.encode()))
    except InvalidToken:
        raise SecretsUnreadable(
            _("The connector's secrets cannot be read (the secret key changed); enter them again.")
        ) from None
    return {str(name): str(value) for name, value in opened.items()}
