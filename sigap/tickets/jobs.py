"""Background work for tickets: delivering replies to the customer."""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from sigap.core import clock
from sigap.core.jobs import job_handler
from sigap.tickets.delivery import Undeliverable, deliver
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import DeliveryStatus, Message

logger = logging.getLogger(__name__)
# How long the record that a reply was handed to its channel outlives the attempt.
HANDED_OVER_SECONDS = 7 * 24 * 3600


@job_handler("deliver_message")
def deliver_message(payload: dict[str, Any]) -> None:
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("ticket", "ticket__customer", "ticket__identity", "ticket__team")
        .get(pk=payload["message"])
    )
    if message.delivery_status != DeliveryStatus.QUEUED:
        return  # already sent: a retried job must not send twice
    handed_over = _handed_over(message)
    if handed_over is not None:
        # An earlier attempt gave it to the mail server, then lost its commit (the database
        # went away in between): record it as sent, under the id it was sent with.
        message.external_id = handed_over
    else:
        try:
            deliver(message)
        except Undeliverable as problem:
            _give_up(message, str(problem))
            return
        _handed_over_record(message)
    message.delivery_status = DeliveryStatus.SENT
    message.save(update_fields=["delivery_status", "external_id"])


def _handed_over_key(message: Message) -> str:
    return f"sigap:handed-over:{message.pk}:{message.created_at.timestamp()}"


def _handed_over(message: Message) -> str | None:
    """The id a reply was sent with, if an attempt whose commit was lost sent it."""
    try:
        found = cache.get(_handed_over_key(message))
    except Exception:
        logger.warning("cannot read delivery records; message %s may be sent again", message.pk)
        return None
    return None if found is None else str(found)


def _handed_over_record(message: Message) -> None:
    """Kept outside the database on purpose: it must survive that transaction failing."""
    try:
        cache.set(_handed_over_key(message), message.external_id, HANDED_OVER_SECONDS)
    except Exception:
        logger.warning("cannot keep the delivery record of message %s", message.pk)


def _give_up(message: Message, reason: str) -> None:
    message.delivery_status = DeliveryStatus.FAILED
    message.save(update_fields=["delivery_status"])
    event_record(
        ticket=message.ticket,
        kind=EventKind.DELIVERY_FAILED,
        at=clock.now(),
        message=message,
        data={"reason": reason or _("unknown")},
    )
