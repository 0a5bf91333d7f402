"""The visitor's socket. It never reads the desk's session cookie: a visitor is their token.

Frames are JSON objects with a "type". The visitor sends hello (with the token, if any),
message, profile and email; the desk answers welcome, message, profile, moved and error.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db import InterfaceError, OperationalError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.chat import limits, services
from sigap.chat.availability import agents_available, agents_available_after_message
from sigap.chat.models import ChatConversation, ChatVisitor, ChatWidget
from sigap.core.errors import DomainError
from sigap.core.realtime import DirectDispatch

logger = logging.getLogger(__name__)

T = TypeVar("T")
# A frame larger than this cannot be a chat message of the allowed length.
MAX_FRAME_CHARS = 32_000
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY = 4429


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin1"))
    return None


def _admit(key: str, origin: str | None, address: str) -> ChatWidget | None:
    """The widget, when this page's origin may open it; counts the connection."""
    try:
        widget = services.widget_for(key)
    except DomainError:
        return None
    if not services.origin_allowed(widget, origin):
        logger.warning("chat socket refused: origin %r is not allowed for widget %s", origin, key)
        return None
    limits.check(
        [(limits.CONNECTIONS_PER_ADDRESS, address)],
        _("Too many chat connections from your network. Please wait a moment."),
    )
    return widget


def _welcome(
    widget: ChatWidget, token: str | None, language: str
) -> tuple[ChatVisitor, dict[str, Any]]:
    """The visitor holding the token (or a new one) and what their widget needs to show."""
    visitor, fresh = services.visitor_identify(widget=widget, token=token, language=language)
    conversation = services.latest_conversation(visitor)
    moved = conversation is not None and conversation.moved_to_email_at is not None
    frame: dict[str, Any] = {
        "type": "welcome",
        "visitor": {"name": visitor.name, "email": visitor.email},
        "available": agents_available(widget.team, language=visitor.language),
        "mode": "email" if moved else "chat",
        "messages": services.conversation_history(conversation) if conversation else [],
    }
    if fresh is not None:
        frame["token"] = fresh
    return visitor, frame


def _write(
    visitor: ChatVisitor, body: str, conversation: ChatConversation | None
) -> tuple[bool, ChatConversation]:
    """Record the visitor's message; whether someone has it or can take it now, and the
    conversation it went to.

    Nobody holding the conversation and nobody free: the widget offers email again, so a
    visitor is never left writing into a chat no one reads.
    """
    message, conversation = services.chat_message_write(
        visitor=visitor, body=body, conversation=conversation
    )
    if message.ticket.assignee_id is not None:
        return True, conversation
    try:
        available = agents_available_after_message(visitor.widget.team, language=visitor.language)
    except (OperationalError, InterfaceError):
        # The message is stored and echoed: telling the visitor it was not would have them
        # send it twice. Only the offer of email waits for a database that answers.
        logger.warning("chat availability unknown, database unavailable", exc_info=True)
        available = True
    return available, conversation


class VisitorConsumer(DirectDispatch, AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    widget: ChatWidget | None = None
    visitor: ChatVisitor | None = None
    # The conversation this socket wrote to last: no lookup for every message.
    conversation: ChatConversation | None = None
    language: str = "id"

    @property
    def address(self) -> str:
        client = self.scope.get("client") or ("", 0)
        return str(client[0])

    async def connect(self) -> None:
        key = self.scope["url_route"]["kwargs"]["key"]
        origin = _header(self.scope, b"origin")
        try:
            self.widget = await database_sync_to_async(_admit)(key, origin, self.address)
        except limits.RateLimited as refused:
            logger.warning("chat socket refused: too many connections from %s", self.address)
            await self.accept()
            await self._send_error(refused)
            await self.close(code=CLOSE_TOO_MANY)
            return
        if self.widget is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.visitor is not None:
            await self.channel_layer.group_discard(
                services.visitor_group(self.visitor.pk), self.channel_name
            )

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self._send_error(
                DomainError(self._text(gettext_lazy("That message is too large.")))
            )
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self._send_error(
                DomainError(self._text(gettext_lazy("That frame is not understood.")))
            )
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content.get("type")
        try:
            if kind == "hello":
                await self._hello(content)
            elif self.visitor is None:
                raise DomainError(self._text(gettext_lazy("Say hello first.")))
            elif kind == "message":
                # The flood check reads only the cache (Redis when scaled out): it need not
                # wait for, nor hold up, the one thread every socket's database work runs in.
                await self._call(services.refuse_floods, self.visitor, self.address, database=False)
                answered, self.conversation = await self._call(
                    _write, self.visitor, str(content.get("body", "")), self.conversation
                )
                if not answered:
                    await self.send_json({"type": "status", "available": False})
            elif kind == "profile":
                visitor = await self._call(
                    services.visitor_profile_set,
                    visitor=self.visitor,
                    name=str(content.get("name", "")),
                    email=str(content.get("email", "")),
                )
                await self.send_json(
                    {"type": "profile", "name": visitor.name, "email": visitor.email}
                )
            elif kind == "email":
                await self._call(
                    services.chat_move_to_email,
                    visitor=self.visitor,
                    email=str(content.get("email", "")),
                    body=str(content.get("body", "")),
                    address=self.address,
                )
                self.conversation = None
            else:
                raise DomainError(self._text(gettext_lazy("That frame is not understood.")))
        except DomainError as error:
            await self._send_error(error)
        except (OperationalError, InterfaceError):
            if kind == "hello":
                raise  # Closing makes the widget connect and greet afresh.
            # The database is locked or away and nothing was saved. Ending the consumer would
            # close the socket and drop the message without a word; saying so lets the
            # visitor send it again (bench/load.py saw this on SQLite under load).
            logger.warning("chat %s frame not saved, database unavailable", kind, exc_info=True)
            await self._send_error(
                DomainError(
                    self._text(
                        gettext_lazy(
                            "Your message could not be saved just now. Please send it again."
                        )
                    )
                )
            )

    async def _hello(self, content: dict[str, Any]) -> None:
        if self.visitor is not None:
            raise DomainError(self._text(gettext_lazy("This chat has already started.")))
        assert self.widget is not None
        self.language = services.language_of(str(content.get("language", "")))
        token = content.get("token")
        visitor, frame = await self._call(
            _welcome, self.widget, token if isinstance(token, str) else None, self.language
        )
        self.visitor = visitor
        await self.channel_layer.group_add(
            services.visitor_group(self.visitor.pk), self.channel_name
        )
        await self.send_json(frame)

    def _text(self, message: object) -> str:
        with translation.override(self.language):
            return str(message)

    async def _call(
        self, function: Callable[..., T], *args: Any, database: bool = True, **kwargs: Any
    ) -> T:
        """Run a service in a thread, its messages in the visitor's language: the database
        thread, unless `database` is False and the service never touches the database."""
        language = self.language

        def call() -> T:
            with translation.override(language):
                return function(*args, **kwargs)

        run = (
            database_sync_to_async(call)
            if database
            else sync_to_async(call, thread_sensitive=False)
        )
        result: T = await run()
        return result

    async def _send_error(self, error: DomainError) -> None:
        frame: dict[str, Any] = {"type": "error", "code": error.code, "message": error.message}
        if error.field:
            frame["field"] = error.field
        if isinstance(error, limits.RateLimited):
            frame["retry_after"] = error.retry_after
        await self.send_json(frame)

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "message", "message": event["message"]})

    async def chat_moved(self, event: dict[str, Any]) -> None:
        # Moved in this tab or another: the next chat message starts a new conversation.
        self.conversation = None
        await self.send_json({"type": "moved", "email": event["email"]})
