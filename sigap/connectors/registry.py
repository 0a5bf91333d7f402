"""The one interface every messaging channel type implements, and the registry of them.

A kind turns an inbound HTTP request into normalised messages and sends a reply out, returning
the id the other side gave it. Everything else — signatures' replay memory, storage of raw
requests, customers, tickets, threading, retries — is shared (services.py, delivery.py), so a
new channel type is one module with one class, registered with `kind_register`:

    class WhatsAppKind(ConnectorKind):
        key = "whatsapp"
        label = gettext_lazy("WhatsApp Cloud API")
        secret_labels = {"access_token": gettext_lazy("Access token")}
        def authenticate(self, *, connector, secrets, headers, body, now): ...
        def parse(self, *, body): ...
        def send(self, *, connector, secrets, outbound, client): ...

    kind_register(WhatsAppKind())

imported from its app's AppConfig.ready() (or listed in BUILTIN_KINDS). Its outbound requests
go through the `client` it is given, which carries the SSRF guard.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from sigap.connectors.models import Connector

# Kinds that ship with the desk; another app may register more from its AppConfig.ready().
BUILTIN_KINDS = ("sigap.connectors.webhook", "sigap.connectors.telegram")


@dataclass(frozen=True)
class Sender:
    """Who wrote: an id stable within the connector's network, and what they call themselves."""

    id: str
    name: str = ""
    language: str = ""
    # A phone number the sender shared as their own (Telegram: their own contact card).
    phone: str = ""


@dataclass(frozen=True)
class FileRef:
    """A file a message announced; fetched later if the kind can (Telegram file_id)."""

    kind: str
    file_id: str
    # How the agent sees it in the message, e.g. "Document: invoice.pdf".
    label: str = ""
    filename: str = ""
    content_type: str = ""
    size: int | None = None


@dataclass(frozen=True)
class InboundMessage:
    external_id: str
    conversation_id: str
    sender: Sender
    text: str
    subject: str = ""
    files: tuple[FileRef, ...] = ()
    # When the customer sent it, as the sender says (Telegram's `date`); response targets
    # count from then when it is plausible (services.py).
    sent_at: datetime | None = None
    # Honoured only when the connector is trusted.
    priority: str = ""
    category: str = ""


@dataclass(frozen=True)
class Parsed:
    """What one request carried. No messages and a reason: nothing for the desk (e.g. an edit)."""

    messages: list[InboundMessage]
    delivery_id: str = ""
    ignored_reason: str = ""


@dataclass(frozen=True)
class Outbound:
    """An agent's reply, as every kind needs it."""

    key: str  # stable across retries, so the other side can recognise a repeat
    conversation_id: str
    text: str
    ticket_reference: str
    author_name: str
    sent_at: datetime
    in_reply_to: str = ""
    # The customer's id on the connector's network (who the conversation is with).
    recipient_id: str = ""


class Rejected(Exception):
    """The request is not authentic or not fresh; nothing of it is kept."""

    def __init__(self, message: str, *, status: int = 401, code: str = "bad_signature") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class Malformed(Exception):
    """An authentic request whose body cannot be read as the kind's format; it is quarantined."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class TemporaryFailure(Exception):
    """Sending failed in a way that may pass (server down, rate limited): try again later."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """Sending can never succeed as it stands (the chat is gone, the token was revoked)."""


class ConnectorKind(ABC):
    key: str
    label: Any  # a lazily translated string
    # Secrets the admin enters (name → label); the ones listed in `generated` may be left
    # empty and are then made up by the desk and shown once.
    secret_labels: Mapping[str, Any] = {}
    generated: tuple[str, ...] = ()
    default_network: str = ""
    default_outbound_url: str = ""
    is_outbound_url_required: bool = False
    # Whether fetch_file can download the files messages announce.
    fetches_files: bool = False

    @abstractmethod
    def authenticate(
        self,
        *,
        connector: Connector,
        secrets: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        now: datetime,
    ) -> str:
        """Check the request is from the connector's sender; return its delivery id, if any.

        Raises Rejected. Comparisons of secrets must take constant time.
        """

    @abstractmethod
    def parse(self, *, body: bytes) -> Parsed:
        """The messages in an authentic body; Malformed when it cannot be read."""

    @abstractmethod
    def send(
        self,
        *,
        connector: Connector,
        secrets: Mapping[str, str],
        outbound: Outbound,
        client: httpx.Client,
    ) -> str:
        """Deliver a reply; return the external id. Raises TemporaryFailure/PermanentFailure."""

    def fetch_file(
        self,
        *,
        connector: Connector,
        secrets: Mapping[str, str],
        file: FileRef,
        client: httpx.Client,
        max_bytes: int,
    ) -> bytes:
        """The content of a file a message announced (only when `fetches_files`).

        Raises TemporaryFailure/PermanentFailure; PermanentFailure when it is over `max_bytes`.
        """
        raise PermanentFailure(f"{self.key} connectors cannot fetch files")


_kinds: dict[str, ConnectorKind] = {}


def kind_register(kind: ConnectorKind) -> ConnectorKind:
    _kinds[kind.key] = kind
    return kind


def _load_builtin() -> None:
    for module in BUILTIN_KINDS:
        importlib.import_module(module)


class UnknownKind(LookupError):
    """A connector of a kind no installed module provides (e.g. a plug-in removed)."""


def kind_get(key: str) -> ConnectorKind:
    _load_builtin()
    try:
        return _kinds[key]
    except KeyError:
        raise UnknownKind(f"no connector kind {key!r} is installed") from None


def kind_choices() -> list[tuple[str, str]]:
    _load_builtin()
    return [(kind.key, kind.label) for kind in _kinds.values()]
