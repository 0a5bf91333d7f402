"""What a chat visitor can do: be recognised by their token, write, send a file, and move
the conversation to email when nobody can answer live. Every write goes through the ticket
and customer services, so the desk sees a chat like any other conversation."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from sigap.chat import limits
from sigap.chat.models import ChatConversation, ChatVisitor, ChatWidget
from sigap.core import clock
from sigap.core.env import env_int
from sigap.core.errors import Conflict, InvalidInput, NotFound
from sigap.core.realtime import publish_on_commit
from sigap.customers.identities import normalise_identity
from sigap.customers.models import Customer, CustomerIdentity, IdentityKind
from sigap.customers.services import IdentityInput, customer_for_contact, identity_add
from sigap.intake.attachments import attachments_receive, check_attachment, clean_filename
from sigap.intake.parsing import ParsedAttachment
from sigap.sla.configuration import calendar_for_team, policy_for_team
from sigap.sla.models import RESPONSE_KINDS, TimerKind, TimerState
from sigap.sla.timers import timer_new, timers_finish
from sigap.tickets import access
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import Channel, Direction, Message, Status, Ticket
from sigap.tickets.services import ticket_lock_for_work, ticket_open, ticket_receive

# 32 random bytes: as hard to guess as a session key. Only their SHA-256 is stored.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{40,64}$")
SUBJECT_CHARS = 80
# The messages a reconnecting visitor is shown again.
HISTORY_MESSAGES = 200
LANGUAGES = ("id", "en")


# A chat line, not a letter: longer text belongs in an email or a file.
_MESSAGE_MAX_CHARS = env_int("SIGAP_CHAT_MESSAGE_MAX_CHARS", 4000)


def message_max_chars() -> int:
    return int(getattr(settings, "CHAT_MESSAGE_MAX_CHARS", _MESSAGE_MAX_CHARS))


def visitor_group(visitor_id: int) -> str:
    """The channel-layer group of every open socket of one visitor (several tabs)."""
    return f"chat.visitor.{visitor_id}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def language_of(value: str) -> str:
    code = value.strip().lower()[:2]
    return code if code in LANGUAGES else settings.LANGUAGE_CODE


def widget_for(key: str) -> ChatWidget:
    widget = ChatWidget.objects.select_related("team").filter(key=key, is_active=True).first()
    if widget is None:
        raise NotFound(_("This chat is not available."))
    return widget


def allowed_origins(widget: ChatWidget) -> set[str]:
    return {line.strip().rstrip("/").lower() for line in widget.allowed_origins.splitlines()} - {""}


def origin_allowed(widget: ChatWidget, origin: str | None) -> bool:
    """Whether a page of `origin` (scheme://host[:port], as the browser sends it) may chat."""
    if not origin:
        return False
    return origin.strip().rstrip("/").lower() in allowed_origins(widget)


def visitor_identify(
    *, widget: ChatWidget, token: str | None, language: str = ""
) -> tuple[ChatVisitor, str | None]:
    """The visitor holding `token` on this widget; a new visitor and their new token when the
    token is missing or unknown (an unknown token opens nothing, it only starts afresh)."""
    now = clock.now()
    if token and _TOKEN.match(token):
        visitor = ChatVisitor.objects.filter(widget=widget, token_hash=token_hash(token)).first()
        if visitor is not None:
            ChatVisitor.objects.filter(pk=visitor.pk).update(last_seen_at=now)
            visitor.widget = widget  # with its team already loaded
            return visitor, None
    fresh = secrets.token_urlsafe(32)
    visitor = ChatVisitor.objects.create(
        widget=widget,
        token_hash=token_hash(fresh),
        public_id=secrets.token_hex(8),
        language=language_of(language),
        created_at=now,
        last_seen_at=now,
    )
    return visitor, fresh


def visitor_by_token(*, widget: ChatWidget, token: str) -> ChatVisitor | None:
    """The visitor holding this token on this widget; None for any other token."""
    if not _TOKEN.match(token):
        return None
    return ChatVisitor.objects.filter(widget=widget, token_hash=token_hash(token)).first()


def _clean_email(email: str) -> str:
    email = email.strip()
    if not email:
        return ""
    try:
        return normalise_identity(IdentityKind.EMAIL, email)
    except InvalidInput as error:
        error.field = "email"
        raise


def _clean_name(name: str) -> str:
    name = "".join(ch for ch in name if ch.isprintable())
    return " ".join(name.split())[:200]


def visitor_profile_set(*, visitor: ChatVisitor, name: str, email: str) -> ChatVisitor:
    """The name and email a visitor gave. Both are optional; an email must be valid."""
    visitor.name = _clean_name(name)
    visitor.email = _clean_email(email)
    with transaction.atomic():
        visitor.save(update_fields=["name", "email"])
        customer = _current_customer(visitor)
        if customer is not None:
            if visitor.name and not customer.name:
                Customer.objects.filter(pk=customer.pk).update(name=visitor.name)
            if visitor.email:
                _email_identity(customer, visitor.email)
    return visitor


def _current_customer(visitor: ChatVisitor) -> Customer | None:
    if visitor.customer_id is None:
        # Another tab's socket (its own copy of the visitor) may have written first.
        visitor.customer_id = (
            ChatVisitor.objects.filter(pk=visitor.pk).values_list("customer_id", flat=True).first()
        )
    customer = visitor.customer
    # A merged customer lives on in the record it was merged into.
    while customer is not None and customer.merged_into_id is not None:
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


def _customer_for(visitor: ChatVisitor) -> tuple[Customer, CustomerIdentity]:
    """The visitor's customer and chat identity, made on their first message."""
    customer = _current_customer(visitor)
    if customer is None:
        addresses: dict[str, IdentityInput] = {}
        if visitor.email:
            # First, so a known customer who gives their address is found, not duplicated.
            addresses["email"] = IdentityInput(IdentityKind.EMAIL, visitor.email)
        addresses["chat"] = IdentityInput(IdentityKind.CHAT, visitor.public_id)
        customer = customer_for_contact(by=None, name=visitor.name, addresses=addresses)
        if not customer.tickets.exists() and customer.language != visitor.language:
            Customer.objects.filter(pk=customer.pk).update(language=visitor.language)
            customer.language = visitor.language
        visitor.customer = customer
        visitor.save(update_fields=["customer"])
    identity = CustomerIdentity.objects.get(kind=IdentityKind.CHAT, value=visitor.public_id)
    return customer, identity


def current_conversation(visitor: ChatVisitor) -> ChatConversation | None:
    """The conversation new chat messages go to: the latest, unless it moved to email or was
    closed (then the next message starts a new ticket)."""
    latest = (
        ChatConversation.objects.select_related("ticket")
        .filter(visitor=visitor)
        .order_by("-started_at", "-pk")
        .first()
    )
    if latest is None or latest.moved_to_email_at is not None:
        return None
    if latest.ticket.status == Status.CLOSED:
        return None
    return latest


def latest_conversation(visitor: ChatVisitor) -> ChatConversation | None:
    found = (
        ChatConversation.objects.select_related("ticket")
        .filter(visitor=visitor)
        .order_by("-started_at", "-pk")
        .first()
    )
    if found is None or found.ticket.status == Status.CLOSED:
        return None
    return found


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise InvalidInput(_("The message is empty."), field="body")
    if len(body) > message_max_chars():
        raise InvalidInput(
            _("The message is longer than %(max)s characters.") % {"max": message_max_chars()},
            field="body",
        )
    return body


def _subject(body: str) -> str:
    first_line = " ".join(body.splitlines()[0].split()) if body.splitlines() else body
    return Truncator(first_line).chars(SUBJECT_CHARS) or _("Live chat")


def message_payload(message: Message, *, has_attachments: bool = True) -> dict[str, Any]:
    """A message as the visitor's widget shows it: plain text, never HTML.

    `has_attachments` False spares the query for a text message just written."""
    from_visitor = message.direction == Direction.INBOUND
    author = message.author_user.display_name if message.author_user is not None else ""
    return {
        "id": message.pk,
        "from": "visitor" if from_visitor else "agent",
        "author": "" if from_visitor else author,
        "body": message.body_text,
        "at": message.created_at.isoformat(),
        "attachments": [
            {"name": attachment.filename, "size": attachment.size}
            for attachment in message.attachments.all()
        ]
        if has_attachments
        else [],
    }


def conversation_history(conversation: ChatConversation) -> list[dict[str, Any]]:
    """What the visitor may read of their ticket: their messages and the replies to them.
    Internal notes never leave the desk."""
    messages = (
        conversation.ticket.messages.filter(direction__in=[Direction.INBOUND, Direction.OUTBOUND])
        .select_related("author_user")
        .prefetch_related("attachments")
        .order_by("-created_at", "-pk")[:HISTORY_MESSAGES]
    )
    return [message_payload(message) for message in reversed(list(messages))]


def refuse_floods(visitor: ChatVisitor, address: str, *, upload: bool = False) -> None:
    """RateLimited when this message would be one too many; it counts towards the limits.

    It touches only the cache, never the database.
    """
    hits = [
        (limits.MESSAGES_PER_VISITOR, visitor.token_hash),
        (limits.MESSAGES_PER_ADDRESS, address),
    ]
    if upload:
        hits.append((limits.UPLOADS_PER_VISITOR, visitor.token_hash))
    limits.check(hits, _("You are sending messages too quickly. Please wait a moment."))


def _deliver_to_visitor(
    visitor: ChatVisitor, message: Message, *, has_attachments: bool = True
) -> None:
    # Every tab of the visitor shows what they wrote in any of them.
    payload = message_payload(message, has_attachments=has_attachments)
    publish_on_commit([visitor_group(visitor.pk)], {"type": "chat.message", "message": payload})


def _write(
    visitor: ChatVisitor, body: str, known: ChatConversation | None = None
) -> tuple[Message, ChatConversation]:
    """Record the visitor's message on their conversation, starting one if needed.

    `known`: the conversation this visitor's socket wrote to last, which spares looking it up
    on every message. A conversation closed since then is looked up afresh.

    Called outside a transaction, a message on a going conversation is the ticket service's
    own transaction (no savepoint round trips); a new conversation is one transaction.
    """
    conversation = known or current_conversation(visitor)
    customer = _current_customer(visitor)
    if conversation is not None and customer is not None:
        try:
            message = ticket_receive(ticket=conversation.ticket, customer=customer, body=body)
            return message, conversation
        except Conflict:
            if known is not None:
                # Another tab or an upload may have started the next conversation already.
                return _write(visitor, body)
            # closed meanwhile: the message starts a new conversation
    with transaction.atomic():
        customer, identity = _customer_for(visitor)
        now = clock.now()
        ticket = ticket_open(
            customer=customer,
            identity=identity,
            channel=Channel.CHAT,
            subject=_subject(body),
            body=body,
            team=visitor.widget.team,
            at=now,
        )
        conversation = ChatConversation.objects.create(
            visitor=visitor, ticket=ticket, started_at=now
        )
        return ticket.messages.get(), conversation


def chat_message_write(
    *, visitor: ChatVisitor, body: str, conversation: ChatConversation | None = None
) -> tuple[Message, ChatConversation]:
    """A message the visitor typed, once `refuse_floods` let it through; the conversation it
    went to, for the socket to pass back as `conversation` with the next one.

    The message is stored (committed) before the visitor's tabs are sent their echo."""
    body = _clean_body(body)
    message, conversation = _write(visitor, body, conversation)
    _deliver_to_visitor(visitor, message, has_attachments=False)
    return message, conversation


def chat_message_receive(*, visitor: ChatVisitor, body: str, address: str) -> Message:
    """A message the visitor typed. Refused when it is empty, too long or part of a flood."""
    refuse_floods(visitor, address)
    message, _conversation = chat_message_write(visitor=visitor, body=body)
    return message


def chat_attachment_receive(
    *, visitor: ChatVisitor, filename: str, content_type: str, payload: bytes, address: str
) -> Message:
    """A file the visitor sent, kept under the same size and type rules as mail attachments."""
    refuse_floods(visitor, address, upload=True)
    part = ParsedAttachment(filename=filename, content_type=content_type, payload=payload)
    name = clean_filename(filename, content_type)
    _type, reason = check_attachment(part, name)
    if reason is not None:
        raise InvalidInput(
            _("%(name)s was not accepted: %(reason)s.") % {"name": name, "reason": reason},
            field="file",
        )
    written: list[Path] = []
    try:
        with transaction.atomic():
            message, _conversation = _write(visitor, f"📎 {name}")
            attachments_receive(
                message=message, parts=[part], at=message.created_at, written=written
            )
            _deliver_to_visitor(visitor, message)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return message


def _email_identity(customer: Customer, email: str) -> CustomerIdentity:
    try:
        return identity_add(
            by=None, customer=customer, identity=IdentityInput(IdentityKind.EMAIL, email)
        )
    except Conflict:
        # The address is on another customer's record: mail still goes to the address given.
        return CustomerIdentity.objects.get(kind=IdentityKind.EMAIL, network="", value=email)


def _response_clock_follows_channel(ticket: Ticket, at: datetime) -> None:
    """The awaited answer now falls under the email target (1 hour, office hours) instead of
    the live chat minute, counted from the customer's last message."""
    if not timers_finish(
        ticket_id=ticket.pk, kinds=RESPONSE_KINDS, at=at, state=TimerState.STOPPED
    ):
        return
    policy = policy_for_team(ticket.team_id)
    target = policy.target_for(ticket.channel, ticket.priority)
    kind = TimerKind.FIRST_RESPONSE if ticket.first_response_at is None else TimerKind.NEXT_RESPONSE
    seconds = getattr(target, kind, None) if target else None
    if target is None or not seconds:
        return
    timer_new(
        ticket_id=ticket.pk,
        kind=kind,
        seconds=seconds,
        at=ticket.last_customer_message_at or at,
        calendar=calendar_for_team(ticket.team_id) if policy.is_business(target) else None,
        warn_percent=policy.warn_at_percent,
    ).save()


def chat_move_to_email(
    *, visitor: ChatVisitor, email: str, body: str = "", address: str = ""
) -> Ticket:
    """Nobody can answer live: the conversation becomes an email ticket, answered by mail.

    A last message, when given, is recorded first; everything written in the chat stays on
    the ticket. The switch is an event on its timeline.
    """
    email = _clean_email(email)
    if not email:
        raise InvalidInput(_("Give an email address to be answered by email."), field="email")
    if body.strip():
        chat_message_receive(visitor=visitor, body=body, address=address)
    conversation = current_conversation(visitor)
    if conversation is None:
        raise InvalidInput(
            _("Write your question first; we will answer it by email."), field="body"
        )
    now = clock.now()
    with transaction.atomic():
        visitor.email = email
        visitor.save(update_fields=["email"])
        customer, _identity = _customer_for(visitor)
        identity = _email_identity(customer, email)
        ticket = ticket_lock_for_work(ticket=conversation.ticket, by=None)
        previous = ticket.channel
        ticket.channel = Channel.EMAIL
        ticket.identity = identity
        ticket.updated_at = now
        ticket.save(update_fields=["channel", "identity", "updated_at"])
        event_record(
            ticket=ticket,
            kind=EventKind.CHANNEL_CHANGED,
            at=now,
            customer=customer,
            data={"from": previous, "to": Channel.EMAIL, "address": email},
        )
        _response_clock_follows_channel(ticket, now)
        conversation.moved_to_email_at = now
        conversation.save(update_fields=["moved_to_email_at"])
        publish_on_commit(
            access.realtime_groups(ticket), {"type": "ticket.changed", "ticket": ticket.pk}
        )
        publish_on_commit([visitor_group(visitor.pk)], {"type": "chat.moved", "email": email})
    return ticket
