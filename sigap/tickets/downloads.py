"""Handing a stored attachment back to a desk user, without letting the file act in the browser.

A customer chooses both the bytes and the declared type of what they send. Opened from our
origin, an SVG or HTML file could run script with the agent's session (django-helpdesk
CVE-2021-3950, osTicket #3764). So: the link is the attachment's random storage key and is
checked against who may see the ticket; only inert types are shown in the browser, everything
else is a download of application/octet-stream; the browser may not guess another type; and
the response carries a sandboxing Content-Security-Policy of its own.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core.errors import NotFound
from sigap.tickets import access
from sigap.tickets.models import Attachment, Message, Ticket

logger = logging.getLogger(__name__)

# Storage keys are random tokens; anything else in a download address names nothing.
STORAGE_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Shown in the browser: types no browser runs script in. Everything else is downloaded.
INLINE_TYPES = {
    "image/png": "image/png",
    "image/jpeg": "image/jpeg",
    "image/gif": "image/gif",
    "image/webp": "image/webp",
    "application/pdf": "application/pdf",
    "text/plain": "text/plain; charset=utf-8",
}
DOWNLOAD_TYPE = "application/octet-stream"
# The file gets an opaque origin: even if a browser rendered it as a page, no script runs and
# it can reach nothing of the desk.
POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
)
_UNSAFE_IN_NAME = set('"\\;/')


def attachment_for(user: User, key: str) -> Attachment:
    """The attachment with this storage key if `user` may see its ticket, else NotFound.

    A key of another team's ticket is refused exactly like a key that does not exist.
    """
    attachment = None
    if STORAGE_KEY.fullmatch(key):
        attachment = (
            Attachment.objects.select_related("message__ticket").filter(storage_key=key).first()
        )
    if attachment is None or not access.can_see(user, attachment.message.ticket):
        raise NotFound(_("No such attachment, or you may not see it."))
    return attachment


def ticket_attachments(ticket: Ticket) -> list[Attachment]:
    return list(
        Attachment.objects.filter(message__ticket=ticket)
        .select_related("message")
        .order_by("created_at", "pk")
    )


def message_attachments(messages: list[Message]) -> dict[int, list[Attachment]]:
    """Each message's attachments, in one query, keyed by message id."""
    found: dict[int, list[Attachment]] = {}
    rows = Attachment.objects.filter(message__in=messages).order_by("created_at", "pk")
    for attachment in rows:
        found.setdefault(attachment.message_id, []).append(attachment)
    return found


def is_shown_inline(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in INLINE_TYPES


def served_type(content_type: str) -> str:
    return INLINE_TYPES.get(content_type.split(";")[0].strip().lower(), DOWNLOAD_TYPE)


def _printable_name(filename: str) -> str:
    name = unicodedata.normalize("NFC", filename)
    name = "".join(ch for ch in name if ch.isprintable() and ch not in _UNSAFE_IN_NAME)
    return " ".join(name.split()).strip(" .") or "attachment"


def content_disposition(filename: str, *, inline: bool) -> str:
    """RFC 6266: a plain-ASCII `filename` for old clients and the real name in `filename*`.

    Quotes, backslashes, semicolons, slashes and control characters are dropped, so the name
    can neither end the header value nor add a header line.
    """
    name = _printable_name(filename)
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    fallback = re.sub(r"[^A-Za-z0-9 ._()\[\]+=,@!#$&'~-]", "_", fallback).strip() or "attachment"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def stored_path(attachment: Attachment) -> Path:
    key = attachment.storage_key
    return Path(settings.ATTACHMENTS_DIR) / key[:2] / key


def download_response(attachment: Attachment) -> FileResponse:
    """The file as a response with safe headers. NotFound when the bytes are gone from disk."""
    path = stored_path(attachment)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        logger.error("attachment %s is missing from %s", attachment.pk, path.parent)
        raise NotFound(_("The file of this attachment is missing from storage.")) from None
    inline = is_shown_inline(attachment.content_type)
    response = FileResponse(handle, content_type=served_type(attachment.content_type))
    response["Content-Disposition"] = content_disposition(attachment.filename, inline=inline)
    response["Content-Length"] = str(path.stat().st_size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=0, no-transform"
    response["Referrer-Policy"] = "no-referrer"
    return response
