"""Reading an RFC 5322 message into what the desk needs, in bounded time, whatever the sender did.

Headers we decide on (From, Subject, Message-ID, threading, automatic-mail signals) are read raw
and decoded here with length limits; the standard library's structured header parser is only
used by the `email` package itself for Content-Type and friends, and sees values cut to
`MAX_HEADER_CHARS` so a pathological header cannot make it recurse or loop for long.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy, compat32
from email.utils import getaddresses
from typing import Any

import nh3

from sigap.tickets.delivery import MESSAGE_ID, OWN_MESSAGE_ID_PREFIX
from sigap.tickets.models import REFERENCE_PREFIX

# RFC 5322 allows 998 characters per line; real headers are far shorter after unfolding
# except References, which we read ourselves.
MAX_HEADER_CHARS = 2000
MAX_REFERENCES = 50
MAX_MESSAGE_ID_CHARS = 255


class MalformedEmail(Exception):
    """The message cannot become a ticket as it stands; it is quarantined for an admin."""


class _BoundedPolicy(EmailPolicy):
    """policy.default, with every header value cut before the structured parser sees it."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if len(value) > MAX_HEADER_CHARS:
            value = value[:MAX_HEADER_CHARS]
        if hasattr(value, "name"):  # a header object already
            return value
        return _header_object(self, name, value)


@functools.lru_cache(maxsize=1024)
def _header_object(policy: EmailPolicy, name: str, value: str) -> Any:
    """The parsed header, shared while the same (name, value) is asked for again.

    The `email` package parses a structured header anew on every read, and Content-Type is read
    a dozen times per part (by the parser itself to find the parts, then for the type, charset,
    file name): that was four fifths of the time spent reading a message. Header objects are
    immutable strings, so handing out the same one is safe; the common values (`text/plain;
    charset=UTF-8`) are shared between messages too.
    """
    return EmailPolicy.header_fetch_parse(policy, name, value)


POLICY = _BoundedPolicy()


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    payload: bytes
    content_id: str = ""
    is_inline: bool = False


@dataclass
class ParsedEmail:
    message_id: str
    subject: str
    from_address: str
    from_name: str
    in_reply_to: list[str]
    references: list[str]
    text: str
    html: str | None
    attachments: list[ParsedAttachment] = field(default_factory=list)
    # The raw value of each header we look at for automatic mail, lower-cased names.
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/plain"


def digest_message_id(raw: bytes) -> str:
    """A stable stand-in for a missing Message-ID, so the same bytes are still taken once."""
    return f"<sha256-{hashlib.sha256(raw).hexdigest()[:48]}@sigap.invalid>"


# --- decoding -----------------------------------------------------------------------------

# WHATWG (what every browser does): mail labelled ISO-8859-1 or ASCII is read as Windows-1252,
# which is what Outlook on Windows actually sends with those labels (curly quotes, the euro).
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "windows-1252": "cp1252",
    "x-user-defined": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "utf8": "utf-8",
}


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from bytes in the declared charset, falling back sensibly when it lies or is bogus."""
    label = (charset or "").strip().strip('"').lower()
    if label in ("", "us-ascii", "ascii", "unknown-8bit", "x-unknown"):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    codec = _CHARSET_ALIASES.get(label, label)
    try:
        return data.decode(codec, errors="replace")
    except LookupError:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", "")


def _undo_surrogates(value: str) -> str:
    """Raw 8-bit header bytes (unencoded UTF-8 from sloppy clients) arrive as surrogates."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"), None)


def first_headers(message: Message) -> dict[str, Any]:
    """The first raw value of each header, by lower-cased name (read in one pass)."""
    first: dict[str, Any] = {}
    for key, value in message.raw_items():
        first.setdefault(key.lower(), value)
    return first


def raw_header(headers: dict[str, Any], name: str, *, limit: int = MAX_HEADER_CHARS) -> str:
    """The first header of that name, unfolded and cut to `limit`, not parsed.

    `headers` is `first_headers(message)`."""
    value = headers.get(name.lower())
    if value is None:
        return ""
    return _undo_surrogates(_unfold(str(value)))[:limit].strip()


def decode_words(value: str) -> str:
    """RFC 2047 encoded words (=?windows-1252?B?...?=) to text, tolerant of unknown charsets."""
    try:
        parts = decode_header(value)
    except Exception:  # a broken encoded word: show it as it came
        return value
    pieces: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            pieces.append(decode_bytes(chunk, charset))
        else:
            pieces.append(chunk)
    return "".join(pieces)


def _clean_line(value: str) -> str:
    return " ".join("".join(ch for ch in value if ch.isprintable() or ch == " ").split())


def _message_ids(value: str) -> list[str]:
    return MESSAGE_ID.findall(value)[-MAX_REFERENCES:]


def _sender(headers: dict[str, Any]) -> tuple[str, str]:
    """(address, display name) of the first mailbox in From; Reply-To is never consulted."""
    value = raw_header(headers, "From")
    if not value:
        return "", ""
    try:
        pairs = getaddresses([value])
    except Exception:  # RecursionError on nested comments, and other parser failures
        pairs = []
    for name, address in pairs:
        if "@" in address:
            return address.strip(), _clean_line(decode_words(name))[:200]
    # A last try for a plain `<address>`, the part people and programs rarely get wrong.
    found = re.search(r"<([^<>\s@]{1,64}@[^<>\s@]{1,255})>", value)
    return (found.group(1), "") if found else ("", "")


# --- bodies -------------------------------------------------------------------------------

_BLOCK_END = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6]|/blockquote|/table)\b[^>]{0,200}>", re.I)


def text_from_html(markup: str) -> str:
    """Readable plain text from an HTML body: scripts and styles go with their content."""
    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\n", markup)
    stripped = html.unescape(nh3.clean(marked, tags=set(), strip_comments=True))
    lines = [" ".join(line.split()) for line in stripped.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _part_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # broken base64 or quoted-printable
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _part_text(part: Message) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return decode_bytes(_part_bytes(part), charset)


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    if not name:
        try:
            name = str(part.get_param("name") or "")
        except Exception:
            name = ""
    return decode_words(name) if "=?" in name else name


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "application/octet-stream"


def _bodies_and_attachments(
    message: Message,
) -> tuple[str, str | None, list[ParsedAttachment]]:
    text_parts: list[str] = []
    html_parts: list[str] = []
    attachments: list[ParsedAttachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = _content_type(part)
        disposition = _disposition(part)
        filename = _filename(part)
        is_body = disposition != "attachment" and not filename
        if is_body and content_type == "text/plain":
            text_parts.append(_part_text(part))
        elif is_body and content_type == "text/html":
            html_parts.append(_part_text(part))
        elif content_type.startswith("multipart/") or (
            is_body and content_type.startswith("message/")
        ):
            continue
        else:
            content_id = str(part.get("Content-ID", "") or "").strip().strip("<>")[:250]
            attachments.append(
                ParsedAttachment(
                    filename=filename,
                    content_type=content_type,
                    payload=_part_bytes(part),
                    content_id=content_id,
                    is_inline=disposition == "inline" or (not disposition and bool(content_id)),
                )
            )
    body_html = "\n".join(html_parts) if html_parts else None
    body_text = "\n\n".join(t.strip() for t in text_parts if t.strip())
    if not body_text and body_html:
        body_text = text_from_html(body_html)
    return body_text.replace("\r\n", "\n").strip(), body_html, attachments


# Headers that tell whether a message was written by a program (RFC 3834 and common practice).
AUTOMATIC_HEADERS = (
    "auto-submitted",
    "precedence",
    "x-auto-response-suppress",
    "x-autoreply",
    "x-autorespond",
    "return-path",
    "list-id",
    # Ticket fields a trusted mailbox may set; ignored on every other mailbox.
    "x-sigap-priority",
    "x-sigap-category",
)


def _parse(raw: bytes) -> Message:
    try:
        message: Message = BytesParser(policy=POLICY).parsebytes(raw)
        # Touch what the walk below needs, so a header the modern parser chokes on (deeply
        # nested comments in a Content-Type) fails here rather than halfway through.
        for part in message.walk():
            part.get_content_type()
            part.get_content_disposition()
    except Exception:
        # compat32 reads structured headers with plain string splitting: less exact, but it
        # cannot recurse, and a customer's words are worth more than a perfect parameter.
        message = BytesParser(policy=compat32).parsebytes(raw)
    return message


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse one message. Raises MalformedEmail when it cannot be read as mail at all."""
    if not raw.strip():
        raise MalformedEmail("The message is empty.")
    if b"\x00" in raw[:4096] or not re.match(rb"[!-9;-~]{1,76}[ \t]*:", raw.lstrip()):
        raise MalformedEmail("The data does not start with mail headers.")
    message = _parse(raw)
    if not any(True for _ in message.raw_items()):
        raise MalformedEmail("The message has no headers.")

    first = first_headers(message)
    ids = _message_ids(raw_header(first, "Message-ID", limit=MAX_HEADER_CHARS))
    message_id = ids[0] if ids and len(ids[0]) <= MAX_MESSAGE_ID_CHARS else ""
    address, name = _sender(first)
    text, body_html, attachments = _bodies_and_attachments(message)
    return ParsedEmail(
        message_id=message_id,
        subject=_clean_line(decode_words(raw_header(first, "Subject"))),
        from_address=address,
        from_name=name,
        in_reply_to=_message_ids(raw_header(first, "In-Reply-To")),
        references=_message_ids(raw_header(first, "References", limit=20_000)),
        text=text,
        html=body_html,
        attachments=attachments,
        headers={name: raw_header(first, name) for name in AUTOMATIC_HEADERS},
        content_type=_content_type(message),
    )


# The first Message-ID field of a header block, with its folded continuation lines.
_MESSAGE_ID_FIELD = re.compile(rb"^message-id[ \t]*:([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)", re.I | re.M)


def message_id_only(raw: bytes) -> str:
    """The Message-ID of raw bytes without parsing them, or "" when there is none.

    Every message's key, worked out before anything else and for mail that cannot be parsed
    too, so it reads the one field it needs from the header block rather than every header."""
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    head = raw[: end if end >= 0 else 65536][:65536]
    found = _MESSAGE_ID_FIELD.search(head)
    if found is None:
        return ""
    value = _undo_surrogates(_unfold(found.group(1).decode("ascii", "surrogateescape")))
    ids = _message_ids(value[:MAX_HEADER_CHARS].strip())
    return ids[0] if ids and len(ids[0]) <= MAX_MESSAGE_ID_CHARS else ""


# --- automatic mail -----------------------------------------------------------------------


@dataclass(frozen=True)
class Automatic:
    kind: str  # "auto_reply" or "bounce"
    reason: str


_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


def automatic_kind(parsed: ParsedEmail, *, envelope_sender: str | None = None) -> Automatic | None:
    """Whether a program wrote this mail. Answering one is how two desks loop for ever."""
    headers = parsed.headers
    if parsed.content_type == "multipart/report":
        return Automatic("bounce", "Content-Type: multipart/report")
    return_path = headers.get("return-path", "")
    if return_path and re.fullmatch(r"<\s*>", return_path):
        return Automatic("bounce", "Return-Path: <>")
    if envelope_sender is not None and envelope_sender.strip() in ("", "<>"):
        return Automatic("bounce", "empty envelope sender")
    local = parsed.from_address.split("@", 1)[0].lower()
    if local in ("mailer-daemon", "postmaster"):
        return Automatic("bounce", f"From: {parsed.from_address}")
    auto_submitted = headers.get("auto-submitted", "").split(";", 1)[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return Automatic("auto_reply", f"Auto-Submitted: {auto_submitted}")
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in _BULK_PRECEDENCE:
        return Automatic("auto_reply", f"Precedence: {precedence}")
    for name in ("x-auto-response-suppress", "x-autoreply", "x-autorespond"):
        if headers.get(name):
            return Automatic("auto_reply", f"{name}: {headers[name][:100]}")
    if parsed.message_id.startswith(OWN_MESSAGE_ID_PREFIX):
        # Our own outgoing mail coming back (a forwarding loop, a misrouted copy).
        return Automatic("auto_reply", "sent by this desk")
    return None


_REFERENCE = re.compile(re.escape(REFERENCE_PREFIX) + r"(\d{6,12})\b", re.I)


def subject_reference(subject: str) -> int | None:
    """The ticket number in a subject such as `Re: [SGP-000123] Barang rusak`."""
    found = _REFERENCE.search(subject)
    return int(found.group(1)) if found else None
