"""Agents' replies on connector tickets, sent by the outbox job (tickets/jobs.py).

The job holds the message row locked and sends only while it is still queued, so a retried
job never sends twice; each request also carries a key that stays the same on every retry,
for the other side to recognise a repeat. A failure that may pass is raised for the job to
retry with backoff; one that cannot is Undeliverable and recorded on the ticket.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils.translation import gettext as _

from sigap.connectors.egress import ForbiddenDestination, check_url, guarded_client
from sigap.connectors.models import ConnectorTicket
from sigap.connectors.registry import (
    Outbound,
    PermanentFailure,
    TemporaryFailure,
    UnknownKind,
    kind_get,
)
from sigap.connectors.vault import SecretsUnreadable, unseal
from sigap.core import clock
from sigap.tickets.delivery import Undeliverable
from sigap.tickets.models import Direction, Message

logger = logging.getLogger(__name__)


class NotYet(Exception):
    """Sending must wait (the other side is down or asked us to slow down); the job retries."""


def _pause_key(connector_id: int) -> str:
    return f"sigap:connector:{connector_id}:resume-at"


def resume_at(connector_id: int) -> datetime | None:
    """When the other side asked us to wait until (a 429's retry_after), if that is still ahead.

    Kept in the shared cache, not the database: the job's transaction is rolled back on failure.
    """
    value = cache.get(_pause_key(connector_id))
    if value is None:
        return None
    at = datetime.fromisoformat(str(value))
    return at if at > clock.now() else None


def _pause(connector_id: int, seconds: int) -> None:
    at = clock.now() + timedelta(seconds=seconds)
    cache.set(_pause_key(connector_id), at.isoformat(), timeout=seconds + 60)


def connector_send(message: Message) -> None:
    """Deliver an outbound message of a connector ticket; sets its external id."""
    link = (
        ConnectorTicket.objects.select_related("connector", "ticket__identity")
        .filter(ticket_id=message.ticket_id)
        .first()
    )
    if link is None:
        raise Undeliverable(
            _("This ticket did not come through a messaging connector; there is nowhere to send.")
        )
    connector = link.connector
    if not connector.is_enabled:
        raise Undeliverable(_("The connector %(name)s is turned off.") % {"name": connector.name})
    waiting_until = resume_at(connector.pk)
    if waiting_until is not None:
        raise NotYet(f"{connector.name} asked to wait until {waiting_until.isoformat()}")
    try:
        kind = kind_get(connector.kind)
        secrets = unseal(connector.sealed_secrets)
        url = connector.outbound_url or kind.default_outbound_url
        if url:
            # Checked again at send time: the DNS answer may have changed since it was saved.
            check_url(url)
        with guarded_client() as client:
            external_id = kind.send(
                connector=connector,
                secrets=secrets,
                outbound=_outbound(message, link),
                client=client,
            )
    except (PermanentFailure, ForbiddenDestination, SecretsUnreadable, UnknownKind) as error:
        logger.warning(
            "connector %s: message %s undeliverable: %s", connector.pk, message.pk, error
        )
        raise Undeliverable(str(error)) from error
    except TemporaryFailure as error:
        if error.retry_after:
            _pause(connector.pk, error.retry_after)
        raise NotYet(str(error)) from error
    message.external_id = external_id[:255]
    message.save(update_fields=["external_id"])


def _outbound(message: Message, link: ConnectorTicket) -> Outbound:
    last_inbound = (
        Message.objects.filter(
            ticket_id=message.ticket_id, direction=Direction.INBOUND, pk__lt=message.pk
        )
        .exclude(external_id="")
        .order_by("-pk")
        .values_list("external_id", flat=True)
        .first()
    )
    author = message.author_user
    identity = link.ticket.identity
    recipient = (
        identity.value
        if identity is not None and identity.network == link.connector.network
        else ""
    )
    return Outbound(
        key=f"sigap-{message.pk}",
        conversation_id=link.conversation_id,
        text=message.body_text,
        ticket_reference=link.ticket.reference,
        author_name=author.display_name if author is not None else "",
        sent_at=message.created_at,
        in_reply_to=last_inbound or "",
        recipient_id=recipient,
    )
