"""Keeping the files that come with customer mail: checked, renamed, stored under a random key."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from sigap.intake.parsing import ParsedAttachment
from sigap.sops.runs import sop_evidence_received
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import Attachment, Message

# The standard library's built-in table only (not /etc/mime.types), so every machine agrees.
_TYPES = mimetypes.MimeTypes()
_EXTRA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".xhtml": "application/xhtml+xml",
    ".svgz": "image/svg+xml",
    ".heic": "image/heic",
    ".heif": "image/heif",
}
_TYPE_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "application/x-pdf": "application/pdf",
    "video/mov": "video/quicktime",
}
_UNDECLARED = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
_FILENAME_FORBIDDEN = set('<>:"/\\|?*')
MAX_FILENAME_CHARS = 150


@dataclass(frozen=True)
class Refused:
    filename: str
    reason: str


@dataclass(frozen=True)
class Stored:
    """What became of a message's files: the attachments kept, and the files refused."""

    kept: list[Attachment]
    refused: list[Refused]


def _type_of_name(filename: str) -> str | None:
    extension = os.path.splitext(filename)[1].lower()
    if extension in _EXTRA_TYPES:
        return _EXTRA_TYPES[extension]
    guessed, _encoding = (
        _TYPES.guess_type(f"x{extension}", strict=False) if extension else (None, None)
    )
    return guessed


def clean_filename(name: str, content_type: str) -> str:
    """A file name safe to show and to offer for download; never used as a path."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Drops control and format characters too (a right-to-left override can disguise
    # `gpj.exe` as `exe.jpg`).
    name = "".join(ch for ch in name if ch.isprintable() and ch not in _FILENAME_FORBIDDEN)
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_FILENAME_CHARS:
        stem, extension = os.path.splitext(name)
        extension = extension[:16]
        name = stem[: MAX_FILENAME_CHARS - len(extension)] + extension
    if not name:
        extension = _TYPES.guess_extension(content_type, strict=False) or ""
        name = f"attachment{extension}"
    return name


def effective_type(declared: str, filename: str) -> tuple[str, str | None]:
    """The type we record, and the type the file name suggests (None when it suggests none)."""
    declared = _TYPE_ALIASES.get(declared.lower().strip(), declared.lower().strip())
    by_name = _type_of_name(filename)
    if declared in _UNDECLARED:
        return by_name or "application/octet-stream", by_name
    return declared, by_name


def check_attachment(part: ParsedAttachment, filename: str) -> tuple[str, str | None]:
    """(content type, None) when the file may be kept, else (content type, the reason)."""
    allowed = set(settings.ATTACHMENT_ALLOWED_TYPES)
    content_type, by_name = effective_type(part.content_type, filename)
    if len(part.payload) > settings.ATTACHMENT_MAX_BYTES:
        return content_type, _("larger than %(max)s") % {
            "max": filesizeformat(settings.ATTACHMENT_MAX_BYTES)
        }
    if content_type not in allowed:
        return content_type, _("files of type %(type)s are not accepted") % {"type": content_type}
    if by_name is not None and by_name not in allowed:
        # Declared as a photo but named .html or .exe: whoever opens it gets the name's type.
        return content_type, _("files named like %(name)s are not accepted") % {"name": filename}
    return content_type, None


def _write(payload: bytes) -> tuple[str, Path]:
    directory = Path(settings.ATTACHMENTS_DIR)
    key = secrets.token_hex(24)
    folder = directory / key[:2]
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / key
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(payload)
    return key, path


def path_of(attachment: Attachment) -> Path:
    key = attachment.storage_key
    return Path(settings.ATTACHMENTS_DIR) / key[:2] / key


def attachments_store(
    *,
    message: Message,
    parts: list[ParsedAttachment],
    at: datetime,
    written: list[Path],
) -> Stored:
    """Keep the allowed parts as attachments of `message`; the others are refused, with why.

    Paths of files written are appended to `written` so the caller can remove them when its
    transaction rolls back.
    """
    kept: list[Attachment] = []
    refused: list[Refused] = []
    for part in parts:
        filename = clean_filename(part.filename, part.content_type)
        content_type, reason = check_attachment(part, filename)
        if reason is not None:
            refused.append(Refused(filename=filename, reason=reason))
            continue
        key, path = _write(part.payload)
        written.append(path)
        attachment = Attachment.objects.create(
            message=message,
            filename=filename,
            content_type=content_type,
            size=len(part.payload),
            storage_key=key,
            sha256=hashlib.sha256(part.payload).hexdigest(),
            content_id=part.content_id,
            is_inline=part.is_inline,
            created_at=at,
        )
        kept.append(attachment)
    return Stored(kept=kept, refused=refused)


def attachments_receive(
    *,
    message: Message,
    parts: list[ParsedAttachment],
    at: datetime,
    written: list[Path],
) -> Stored:
    """A customer's files, by any channel: kept within the limits, each refusal on the
    ticket's timeline, and a kept file offered to the ticket's SOP as the evidence it asks for.
    `written` as for attachments_store."""
    stored = attachments_store(message=message, parts=parts, at=at, written=written)
    if stored.kept:
        sop_evidence_received(ticket=message.ticket, message=message, files=stored.kept)
    refusals_record(message=message, refused=stored.refused, at=at)
    return stored


def refusals_record(*, message: Message, refused: list[Refused], at: datetime) -> None:
    """Each file of the customer's message that was not kept, on the ticket's timeline."""
    for item in refused:
        event_record(
            ticket=message.ticket,
            kind=EventKind.ATTACHMENT_REFUSED,
            at=at,
            customer=message.author_customer,
            message=message,
            data={"filename": item.filename, "reason": item.reason},
        )
