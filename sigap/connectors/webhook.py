"""The generic webhook channel: any system that can POST signed JSON (signing.py) plugs in.

Inbound body:

    {"message": {"id": "m-1", "text": "Halo",
                 "attachments": [{"url": "https://…", "name": "foto.jpg", "type": "image/jpeg"}]},
     "conversation": {"id": "c-9", "subject": "optional"},
     "sender": {"id": "u-1", "name": "Siti", "language": "id"},
     "priority": "high", "category": "refund"}      (the last two only from a trusted connector)

Attachments are optional (up to 10); they are fetched afterwards through the same guard as
every outbound request, so a URL pointing into the desk's network is refused.

Outbound: the agent's reply is POSTed, signed the same way, to the connector's outbound URL:

    {"type": "message", "id": "sigap-42", "conversation": {"id": "c-9"},
     "recipient": {"id": "u-1"},
     "message": {"text": "…", "sent_at": "2026-…Z", "in_reply_to": "m-1"},
     "ticket": {"reference": "SGP-000042"}, "author": {"name": "Sari"}}

with X-Sigap-Delivery set to the message's id, the same on every retry, so the receiver can
drop a repeat. A 2xx answer may carry {"id": "…"}: the message's id on the other side.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from sigap.connectors.answers import check_answer, get, post
from sigap.connectors.egress import AnswerTooLarge, check_url
from sigap.connectors.models import Connector
from sigap.connectors.registry import (
    ConnectorKind,
    FileRef,
    InboundMessage,
    Malformed,
    Outbound,
    Parsed,
    PermanentFailure,
    Rejected,
    Sender,
    kind_register,
)
from sigap.connectors.signing import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature_matches,
    signed_headers,
)
from sigap.core import clock
from sigap.core.fields import field_path

# How far a request's timestamp may be from our clock, either way.
DEFAULT_TOLERANCE_SECONDS = 300
_Id = Field(min_length=1, max_length=200)


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class _Attachment(_Lenient):
    url: str = Field(min_length=1, max_length=2000, pattern=r"^https?://")
    name: str = Field(default="", max_length=255)
    type: str = Field(default="", max_length=100)
    size: int | None = Field(default=None, ge=0)


class _Message(_Lenient):
    id: str = _Id
    text: str = ""
    attachments: list[_Attachment] = Field(default=[], max_length=10)
    sent_at: AwareDatetime | None = None


class _Conversation(_Lenient):
    id: str = _Id
    subject: str = Field(default="", max_length=255)


class _Sender(_Lenient):
    id: str = _Id
    name: str = Field(default="", max_length=200)
    language: str = Field(default="", max_length=16)


class _Body(_Lenient):
    message: _Message
    conversation: _Conversation
    sender: _Sender
    priority: str = ""
    category: str = ""


def tolerance() -> timedelta:
    seconds = getattr(settings, "CONNECTOR_SIGNATURE_TOLERANCE_SECONDS", DEFAULT_TOLERANCE_SECONDS)
    return timedelta(seconds=int(seconds))


def _header(headers: Mapping[str, str], name: str) -> str:
    return (headers.get(name) or "").strip()


class WebhookKind(ConnectorKind):
    key = "webhook"
    label = gettext_lazy("Generic webhook (signed JSON)")
    secret_labels = {"signing_secret": gettext_lazy("Signing secret (HMAC-SHA256, both ways)")}
    generated = ("signing_secret",)
    default_network = "webhook"
    is_outbound_url_required = True
    fetches_files = True

    def authenticate(
        self,
        *,
        connector: Connector,
        secrets: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        now: datetime,
    ) -> str:
        timestamp = _header(headers, TIMESTAMP_HEADER)
        given = _header(headers, SIGNATURE_HEADER)
        if not timestamp or not given:
            raise Rejected(
                _("The request must carry %(timestamp)s and %(signature)s headers.")
                % {"timestamp": TIMESTAMP_HEADER, "signature": SIGNATURE_HEADER},
                code="unsigned",
            )
        secret = secrets.get("signing_secret", "")
        if not secret or not signature_matches(
            secret=secret, timestamp=timestamp, body=body, given=given
        ):
            raise Rejected(_("The signature does not match the body."))
        # Checked after the signature, so only an authentic request learns about our clock.
        if not timestamp.isdigit() or len(timestamp) > 12:
            raise Rejected(_("The timestamp must be Unix seconds."), code="stale")
        try:
            signed_at = datetime.fromtimestamp(int(timestamp), tz=now.tzinfo)
        except (OverflowError, ValueError, OSError):
            raise Rejected(_("The timestamp is out of range."), code="stale") from None
        if abs(now - signed_at) > tolerance():
            raise Rejected(
                _(
                    "The request was signed at %(signed)s, more than %(seconds)s seconds from "
                    "now; it is refused as a possible replay."
                )
                % {"signed": signed_at.isoformat(), "seconds": int(tolerance().total_seconds())},
                code="stale",
            )
        return _header(headers, DELIVERY_HEADER)[:255]

    def parse(self, *, body: bytes) -> Parsed:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError) as error:
            raise Malformed(_("The body is not valid JSON: %(error)s") % {"error": error}) from None
        try:
            parsed = _Body.model_validate(document)
        except ValidationError as error:
            problems = "; ".join(
                f"{field_path(item['loc']) or 'body'}: {item['msg']}" for item in error.errors()
            )
            raise Malformed(
                _("The JSON is not a message: %(problems)s") % {"problems": problems}, status=422
            ) from None
        if not parsed.message.text and not parsed.message.attachments:
            raise Malformed(_("The message has neither text nor attachments."), status=422)
        files = tuple(
            FileRef(
                kind="url",
                file_id=item.url,
                label=_("Attachment: %(name)s") % {"name": item.name}
                if item.name
                else str(_("Attachment")),
                filename=item.name,
                content_type=item.type,
                size=item.size,
            )
            for item in parsed.message.attachments
        )
        message = InboundMessage(
            external_id=parsed.message.id,
            conversation_id=parsed.conversation.id,
            sender=Sender(
                id=parsed.sender.id, name=parsed.sender.name, language=parsed.sender.language
            ),
            text=parsed.message.text,
            files=files,
            sent_at=parsed.message.sent_at,
            subject=parsed.conversation.subject,
            priority=parsed.priority.lower(),
            category=parsed.category.lower(),
        )
        return Parsed(messages=[message])

    def send(
        self,
        *,
        connector: Connector,
        secrets: Mapping[str, str],
        outbound: Outbound,
        client: httpx.Client,
    ) -> str:
        secret = secrets.get("signing_secret", "")
        if not connector.outbound_url or not secret:
            raise PermanentFailure(_("The connector has no outbound URL or signing secret."))
        payload: dict[str, Any] = {
            "type": "message",
            "id": outbound.key,
            "conversation": {"id": outbound.conversation_id},
            "recipient": {"id": outbound.recipient_id},
            "message": {
                "text": outbound.text,
                "sent_at": outbound.sent_at.isoformat(),
                "in_reply_to": outbound.in_reply_to,
            },
            "ticket": {"reference": outbound.ticket_reference},
            "author": {"name": outbound.author_name},
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            **signed_headers(
                secret=secret,
                timestamp=int(clock.now().timestamp()),
                body=body,
                delivery=outbound.key,
            ),
        }
        response = post(client, connector.outbound_url, content=body, headers=headers)
        check_answer(response)
        try:
            answered = response.json()
        except ValueError:
            answered = None
        if isinstance(answered, dict) and isinstance(answered.get("id"), str | int):
            return str(answered["id"])[:255]
        return outbound.key

    def fetch_file(
        self,
        *,
        connector: Connector,
        secrets: Mapping[str, str],
        file: FileRef,
        client: httpx.Client,
        max_bytes: int,
    ) -> bytes:
        too_large = PermanentFailure(_("larger than %(max)s") % {"max": filesizeformat(max_bytes)})
        if file.size is not None and file.size > max_bytes:
            raise too_large
        # The sender chose this URL: the same guard as for our own outbound requests.
        check_url(file.file_id)
        try:
            response = get(client, file.file_id)
        except AnswerTooLarge:
            raise too_large from None
        check_answer(response)
        return response.content


kind_register(WebhookKind())
