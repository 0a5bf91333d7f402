"""Sending a reply out on the ticket's channel. Each channel plugs in one transport."""

from __future__ import annotations

from collections.abc import Callable

from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.utils.translation import gettext as _

from sigap.customers.models import IdentityKind
from sigap.tickets.models import Channel, Message

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


def message_id(message: Message) -> str:
    return f"<sigap-{message.ticket_id}-{message.pk}@{DNS_NAME}>"


@transport(Channel.EMAIL)
def _send_email(message: Message) -> None:
    ticket = message.ticket
    identity = ticket.identity
    if identity is None or identity.kind != IdentityKind.EMAIL:
        identity = ticket.customer.identities.filter(kind=IdentityKind.EMAIL).first()
    if identity is None:
        raise Undeliverable(_("The customer has no email address."))
    sender = ticket.team.email if ticket.team and ticket.team.email else None
    mail = EmailMessage(
        subject=f"[{ticket.reference}] {ticket.subject}",
        body=message.body_text,
        from_email=sender,
        to=[identity.value],
        headers={"Message-ID": message_id(message), "Auto-Submitted": "no"},
    )
    mail.send(fail_silently=False)
