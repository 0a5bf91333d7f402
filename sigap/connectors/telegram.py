"""Telegram Bot API: updates arrive by webhook, replies go out with sendMessage.

Telegram sends each Update as JSON with the secret token given to setWebhook in the
X-Telegram-Bot-Api-Secret-Token header. A message's text, or the caption of a photo or
document, becomes the customer's message; files are noted with their Telegram file ids.
Replies: POST <base>/bot<token>/sendMessage {"chat_id", "text"}; the answer is
{"ok": true, "result": Message} or {"ok": false, "error_code", "description",
"parameters": {"retry_after"}}.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from django.core.cache import cache
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.connectors.answers import get, post
from sigap.connectors.egress import AnswerTooLarge
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
    TemporaryFailure,
    kind_register,
)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # nosec B105  # a header name
OFFICIAL_API = "https://api.telegram.org"
# sendMessage takes 1-4096 characters of text.
MAX_TEXT_CHARS = 4096
# Telegram counts UTF-16 units, so an emoji may count twice: parts stay well below the limit.
PART_CHARS = 4000
# How long the parts already sent of a long reply are remembered for its retries.
PROGRESS_SECONDS = 7 * 24 * 3600
# Message fields that carry one file object with a file_id, and how the desk names them.
_FILE_FIELDS = {
    "document": gettext_lazy("Document"),
    "video": gettext_lazy("Video"),
    "voice": gettext_lazy("Voice message"),
    "audio": gettext_lazy("Audio"),
}
_DEFAULT_TYPES = {"photo": "image/jpeg", "voice": "audio/ogg", "video": "video/mp4"}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _files(message: Mapping[str, Any]) -> list[FileRef]:
    found: list[FileRef] = []
    photo = message.get("photo")
    if isinstance(photo, list) and photo and isinstance(photo[-1], dict):
        # Telegram lists the sizes of one photo, smallest first: the last is the original.
        largest = photo[-1]
        if isinstance(largest.get("file_id"), str):
            found.append(
                FileRef(
                    kind="photo",
                    file_id=largest["file_id"],
                    label=str(_("Photo")),
                    filename="photo.jpg",
                    content_type="image/jpeg",
                    size=_int(largest.get("file_size")),
                )
            )
    for name in _FILE_FIELDS:
        item = message.get(name)
        if isinstance(item, dict) and isinstance(item.get("file_id"), str):
            filename = str(item.get("file_name") or "")
            label = str(_FILE_FIELDS[name])
            found.append(
                FileRef(
                    kind=name,
                    file_id=item["file_id"],
                    label=f"{label}: {filename}" if filename else label,
                    filename=filename,
                    content_type=str(item.get("mime_type") or _DEFAULT_TYPES.get(name, "")),
                    size=_int(item.get("file_size")),
                )
            )
    return found


def split_text(text: str, limit: int = PART_CHARS) -> list[str]:
    """Parts of at most `limit` characters, cut after a paragraph or line where possible."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        # The last paragraph break in the second half of the window, else a line break, else
        # a space; a text without any is cut hard.
        cuts = [window.rfind(mark) for mark in ("\n\n", "\n", " ")]
        cut = next((at for at in cuts if at >= limit // 2), limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts or [text]


def _sent_at(date: Any) -> datetime | None:
    seconds = _int(date)
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _own_phone(message: Mapping[str, Any], sender_id: int) -> str:
    """The phone number of a contact card the sender shared of themselves (Telegram sets the
    card's user_id to theirs), which tells the desk who they are on the phone too."""
    contact = message.get("contact")
    if isinstance(contact, dict) and contact.get("user_id") == sender_id:
        return str(contact.get("phone_number") or "")
    return ""


def _shared_items(message: Mapping[str, Any]) -> list[str]:
    """A sticker, location or contact the customer sent, as the agent should read it."""
    items: list[str] = []
    sticker = message.get("sticker")
    if isinstance(sticker, dict):
        items.append(_("[Sticker %(emoji)s]") % {"emoji": str(sticker.get("emoji") or "")})
    location = message.get("location")
    if isinstance(location, dict) and {"latitude", "longitude"} <= location.keys():
        items.append(
            _("[Location: %(lat)s, %(lon)s]")
            % {"lat": location["latitude"], "lon": location["longitude"]}
        )
    contact = message.get("contact")
    if isinstance(contact, dict) and contact.get("phone_number"):
        name = " ".join(
            str(contact.get(part) or "") for part in ("first_name", "last_name")
        ).strip()
        items.append(
            _("[Contact: %(name)s %(phone)s]") % {"name": name, "phone": contact["phone_number"]}
        )
    return items


class TelegramKind(ConnectorKind):
    key = "telegram"
    label = gettext_lazy("Telegram bot")
    secret_labels = {
        "bot_token": gettext_lazy("Bot token (from @BotFather)"),
        "secret_token": gettext_lazy("Webhook secret token (setWebhook secret_token)"),
    }
    generated = ("secret_token",)
    default_network = "telegram"
    default_outbound_url = OFFICIAL_API
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
        expected = secrets.get("secret_token", "")
        given = headers.get(SECRET_HEADER) or ""
        if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
            raise Rejected(
                _("The %(header)s header does not match.") % {"header": SECRET_HEADER},
                code="bad_secret",
            )
        return ""  # the delivery id is the update_id, read from the body

    def parse(self, *, body: bytes) -> Parsed:
        try:
            update = json.loads(body)
        except (ValueError, RecursionError) as error:
            raise Malformed(_("The body is not valid JSON: %(error)s") % {"error": error}) from None
        if not isinstance(update, dict) or _int(update.get("update_id")) is None:
            raise Malformed(_("The JSON is not a Telegram Update (no update_id)."), status=422)
        delivery_id = str(update["update_id"])
        message = update.get("message")
        if message is None:
            kinds = sorted(key for key in update if key != "update_id")
            return Parsed(
                messages=[],
                delivery_id=delivery_id,
                ignored_reason=_("An update of type %(kind)s is not a customer message.")
                % {"kind": ", ".join(kinds) or "?"},
            )
        chat = message.get("chat") if isinstance(message, dict) else None
        if (
            not isinstance(message, dict)
            or _int(message.get("message_id")) is None
            or not isinstance(chat, dict)
            or _int(chat.get("id")) is None
        ):
            raise Malformed(_("The message has no message_id or chat id."), status=422)
        author = message.get("from")
        if not isinstance(author, dict) or _int(author.get("id")) is None:
            return Parsed([], delivery_id, _("A message without a sender (a channel post)."))
        if author.get("is_bot") is True:
            return Parsed([], delivery_id, _("A message from a bot."))
        if str(message.get("text") or "").split(" ")[0] == "/start":
            # Opening the chat with the bot: the customer has not said anything yet.
            return Parsed([], delivery_id, _("The customer started a chat with the bot."))
        text = message.get("text") or message.get("caption") or ""
        if isinstance(text, str):
            text = "\n".join(part for part in (text, *_shared_items(message)) if part)
        files = _files(message)
        if not isinstance(text, str) or (not text.strip() and not files):
            return Parsed([], delivery_id, _("A message with nothing the desk can show."))
        name = " ".join(str(author.get(part) or "") for part in ("first_name", "last_name")).strip()
        return Parsed(
            messages=[
                InboundMessage(
                    external_id=f"{chat['id']}:{message['message_id']}",
                    conversation_id=str(chat["id"]),
                    sender=Sender(
                        id=str(author["id"]),
                        name=name or str(author.get("username") or ""),
                        language=str(author.get("language_code") or ""),
                        phone=_own_phone(message, author["id"]),
                    ),
                    text=text,
                    files=tuple(files),
                    sent_at=_sent_at(message.get("date")),
                )
            ],
            delivery_id=delivery_id,
        )

    def send(
        self,
        *,
        connector: Connector,
        secrets: Mapping[str, str],
        outbound: Outbound,
        client: httpx.Client,
    ) -> str:
        token = secrets.get("bot_token", "")
        if not token:
            raise PermanentFailure(_("The connector has no bot token."))
        chat = outbound.conversation_id
        base = (connector.outbound_url or OFFICIAL_API).rstrip("/")
        # A long reply goes out in parts. The parts already sent are remembered outside the
        # job's transaction (which a failure rolls back), so a retry sends only the rest.
        progress_key = f"sigap:telegram-parts:{connector.pk}:{outbound.key}"
        sent: list[str] = list(cache.get(progress_key) or [])
        for index, part in enumerate(split_text(outbound.text)):
            if index < len(sent):
                continue
            body = json.dumps(
                {"chat_id": int(chat) if chat.lstrip("-").isdigit() else chat, "text": part},
                ensure_ascii=False,
            ).encode()
            response = post(
                client,
                f"{base}/bot{token}/sendMessage",
                content=body,
                headers={"Content-Type": "application/json"},
            )
            sent.append(_read_answer(response, chat=chat, fallback=f"{outbound.key}-{index}"))
            cache.set(progress_key, sent, timeout=PROGRESS_SECONDS)
        cache.delete(progress_key)
        return sent[0]

    def fetch_file(
        self,
        *,
        connector: Connector,
        secrets: Mapping[str, str],
        file: FileRef,
        client: httpx.Client,
        max_bytes: int,
    ) -> bytes:
        token = secrets.get("bot_token", "")
        too_large = PermanentFailure(_("larger than %(max)s") % {"max": filesizeformat(max_bytes)})
        if file.size is not None and file.size > max_bytes:
            raise too_large
        base = (connector.outbound_url or OFFICIAL_API).rstrip("/")
        response = post(
            client,
            f"{base}/bot{token}/getFile",
            content=json.dumps({"file_id": file.file_id}).encode(),
            headers={"Content-Type": "application/json"},
        )
        result = _api_result(response)
        path = result.get("file_path")
        if not isinstance(path, str) or not path or ".." in path.split("/"):
            raise PermanentFailure(_("Telegram gave no usable file_path for the file."))
        size = _int(result.get("file_size"))
        if size is not None and size > max_bytes:
            raise too_large
        try:
            download = get(client, f"{base}/file/bot{token}/{path}")
        except AnswerTooLarge:
            raise too_large from None
        if download.status_code != 200:
            _api_result(download)
        return download.content


def _api_result(response: httpx.Response) -> dict[str, Any]:
    """The result of a Bot API call; TemporaryFailure/PermanentFailure as its answer says."""
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise TemporaryFailure(
            _("Telegram answered %(status)s without a JSON body.")
            % {"status": response.status_code}
        )
    if answer.get("ok") is True:
        result = answer.get("result")
        return result if isinstance(result, dict) else {}
    code = _int(answer.get("error_code")) or response.status_code
    description = str(answer.get("description") or "")[:300]
    parameters = answer.get("parameters")
    wait = _int(parameters.get("retry_after")) if isinstance(parameters, dict) else None
    reason = _("Telegram refused the request (%(code)s): %(description)s") % {
        "code": code,
        "description": description,
    }
    if code == 429 or code >= 500:
        raise TemporaryFailure(reason, retry_after=wait)
    raise PermanentFailure(reason)


def _read_answer(response: httpx.Response, *, chat: str, fallback: str) -> str:
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        if 200 <= response.status_code < 300:
            return fallback  # delivered; sending again would make a duplicate
        raise TemporaryFailure(
            _("Telegram answered %(status)s without a JSON body.")
            % {"status": response.status_code}
        )
    if answer.get("ok") is True:
        result = answer.get("result")
        message_id = _int(result.get("message_id")) if isinstance(result, dict) else None
        return f"{chat}:{message_id}" if message_id is not None else fallback
    code = _int(answer.get("error_code")) or response.status_code
    description = str(answer.get("description") or "")[:300]
    parameters = answer.get("parameters")
    wait = _int(parameters.get("retry_after")) if isinstance(parameters, dict) else None
    reason = _("Telegram refused the message (%(code)s): %(description)s") % {
        "code": code,
        "description": description,
    }
    if code == 429 or code >= 500:
        raise TemporaryFailure(reason, retry_after=wait)
    raise PermanentFailure(reason)


kind_register(TelegramKind())


def telegram_webhook_register(*, connector: Connector, inbound_url: str) -> str:
    """Tell Telegram to send the bot's updates to `inbound_url`, with the secret token.

    Returns Telegram's description ("Webhook was set"). Raises PermanentFailure or
    TemporaryFailure with Telegram's reason, ForbiddenDestination for a refused API address.
    """
    from sigap.connectors.egress import check_url, guarded_client
    from sigap.connectors.vault import unseal

    if connector.kind != TelegramKind.key:
        raise PermanentFailure(_("%(name)s is not a Telegram bot.") % {"name": connector.name})
    secrets = unseal(connector.sealed_secrets)
    base = (connector.outbound_url or OFFICIAL_API).rstrip("/")
    check_url(base)
    body = {
        "url": inbound_url,
        "secret_token": secrets.get("secret_token", ""),
        # Only what becomes tickets; other updates would be acknowledged and dropped anyway.
        "allowed_updates": ["message"],
    }
    with guarded_client() as client:
        response = post(
            client,
            f"{base}/bot{secrets.get('bot_token', '')}/setWebhook",
            content=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    _api_result(response)
    return str(answer.get("description") or _("Webhook was set"))
