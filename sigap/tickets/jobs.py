"""Background work for tickets: delivering replies to the customer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sigap.core import clock
from sigap.core.jobs import job_handler
from sigap.tickets.delivery import Undeliverable, deliver
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import DeliveryStatus, Message


@job_handler("deliver_message")
def deliver_message(payload: dict[str, Any]) -> None:
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("ticket", "ticket__customer", "ticket__identity", "ticket__team")
        .get(pk=payload["message"])
    )
    if message.delivery_status != DeliveryStatus.QUEUED:
        return  # already sent: a retried job must not send twice
    try:
        deliver(message)
    except Undeliverable as problem:
        _give_up(message, str(problem))
        return
    message.delivery_status = DeliveryStatus.SENT
    message.save(update_fields=["delivery_status"])


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
