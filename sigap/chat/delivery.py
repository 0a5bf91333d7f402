"""The chat channel's transport: an agent's reply goes to every open socket of the visitor.

The reply is a row (and its outbox job) before this runs; a visitor who is not connected
reads it when they come back, from the conversation's history.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from sigap.chat.models import ChatConversation
from sigap.chat.services import message_payload, visitor_group
from sigap.core.realtime import publish_on_commit
from sigap.tickets.delivery import Undeliverable, transport
from sigap.tickets.models import Channel, Message


@transport(Channel.CHAT)
def push_to_visitor(message: Message) -> None:
    conversation = ChatConversation.objects.filter(ticket_id=message.ticket_id).first()
    if conversation is None:
        raise Undeliverable(_("This chat was not started from a chat widget."))
    publish_on_commit(
        [visitor_group(conversation.visitor_id)],
        {"type": "chat.message", "message": message_payload(message)},
    )
