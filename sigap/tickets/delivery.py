"""Sending a reply out on the ticket's channel. Each channel plugs in one transport."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.utils.translation import gettext as _

from sigap.customers.models import IdentityKind
from sigap.tickets.models import Channel, Direction, Message

Transport = Callable[[Message], None]
_transports: dict[str, Transport] = {}


class Undeliverable(Exception):
    """The reply can never be delivered as it stands (no address, no connector); do not retry."""


def transport(channel: str) -> Callable[[Transport], Transport]:
    def register(function: Transport) -> Transport:
        _transports[channel] = function
        return function

    return register


def deliver(message: Message) -> None:
    send = _transports.get(message.channel)
    if send is None:
        raise Undeliverable(
            _("No connector is configured for the %(channel)s channel.")
            % {"channel": Channel(message.channel).label}
        )
    send(message)


# What a Message-ID looks like, when read from mail or cited back in ours.
MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
# Every Message-ID this desk gives its mail starts so.
OWN_MESSAGE_ID_PREFIX = "<sigap-"


def message_id(message: Message) -> str:
    return f"{OWN_MESSAGE_ID_PREFIX}{message.ticket_id}-{message.pk}@{DNS_NAME}>"


# The first Message-ID of the conversation and the latest ones: enough for every mail client
# to thread, short enough for every mail server.
MAX_REFERENCES = 10


def thread_headers(message: Message) -> dict[str, str]:
    """In-Reply-To and References so the customer's mail client threads our reply.

    The reply answers the customer's latest mail before it (or, when the customer never wrote
    by mail, our own latest one); References lists the conversation up to that mail.
    """
    earlier = [
        (direction, external_id)
        for direction, external_id in message.ticket.messages.filter(
            pk__lt=message.pk, direction__in=[Direction.INBOUND, Direction.OUTBOUND]
        )
        .exclude(external_id="")
        .order_by("created_at", "pk")
        .values_list("direction", "external_id")
        if MESSAGE_ID.fullmatch(external_id)
    ]
    if not earlier:
        return {}
    inbound = [i for i, (direction, _) in enumerate(earlier) if direction == Direction.INBOUND]
    parent = inbound[-1] if inbound else len(earlier) - 1
    chain = list(dict.fromkeys(external_id for _, external_id in earlier[: parent + 1]))
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    return {"In-Reply-To": earlier[parent][1], "References": " ".join(chain)}


@transport(Channel.EMAIL)
def _send_email(message: Message) -> None:
    ticket = message.ticket
    identity = ticket.identity
    if identity is None or identity.kind != IdentityKind.EMAIL:
        identity = ticket.customer.identities.filter(kind=IdentityKind.EMAIL).first()
    if identity is None:
        raise Undeliverable(_("The customer has no email address."))
    sender = ticket.team.email if ticket.team and ticket.team.email else None
    # Kept on the message so the customer's answer, which cites it, finds this ticket again
    # whichever node sends (the host name in a Message-ID differs between machines).
    if not message.external_id:
        message.external_id = message_id(message)
        message.save(update_fields=["external_id"])
    headers = {"Message-ID": message.external_id, **thread_headers(message)}
    if message.author_user_id is None:
        # A notice the desk sent by itself: other desks' robots must not answer it (RFC 3834).
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
    else:
        headers["Auto-Submitted"] = "no"
    mail = EmailMessage(
        subject=f"[{ticket.reference}] {ticket.subject}",
        body=message.body_text,
        from_email=sender,
        to=[identity.value],
        headers=headers,
    )
    mail.send(fail_silently=False)
