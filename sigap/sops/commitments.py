"""Promises made to customers: recorded from replies, kept by agents, listed until kept."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core import clock
from sigap.core.errors import Conflict, NotAllowed, NotFound
from sigap.sops.models import Promise
from sigap.sops.promises import find_promises
from sigap.tickets import access
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import Message, Ticket


def promises_from_reply(*, ticket: Ticket, message: Message, by: User) -> list[Promise]:
    """Every time promised in this reply becomes a commitment on the ticket's timeline."""
    now = clock.now()
    made = []
    for found in find_promises(message.body_text, now=now, zone=settings.TIME_ZONE):
        promise = Promise.objects.create(
            ticket=ticket,
            message=message,
            phrase=found.phrase[:200],
            due_at=found.due_at,
            made_by=by,
            made_at=now,
        )
        event_record(
            ticket=ticket,
            kind=EventKind.PROMISE_MADE,
            at=now,
            by=by,
            # By id, not as the event's message: the timeline shows the reply once, as a reply.
            data={
                "phrase": promise.phrase,
                "due_at": promise.due_at.isoformat(),
                "message": message.pk,
            },
        )
        made.append(promise)
    return made


def promise_keep(*, ticket: Ticket, promise_id: int, by: User) -> Promise:
    if not access.can_work_on(by, ticket):
        raise NotAllowed(_("You may not change this ticket."))
    now = clock.now()
    with transaction.atomic():
        promise = Promise.objects.select_for_update().filter(pk=promise_id, ticket=ticket).first()
        if promise is None:
            raise NotFound(_("No such promise on this ticket."))
        if promise.kept_at is not None:
            raise Conflict(_("This promise was already kept."))
        promise.kept_at = now
        promise.kept_by = by
        promise.save(update_fields=["kept_at", "kept_by"])
        event_record(
            ticket=ticket,
            kind=EventKind.PROMISE_KEPT,
            at=now,
            by=by,
            data={
                "phrase": promise.phrase,
                "due_at": promise.due_at.isoformat(),
                "late": now > promise.due_at,
            },
        )
    return promise


def open_promises_of(user: User) -> QuerySet[Promise]:
    """The promises this agent made that are not kept yet, soonest due first (index range)."""
    return (
        Promise.objects.filter(made_by=user, kept_at__isnull=True)
        .filter(ticket__in=access.visible_tickets(user))
        .select_related("ticket", "ticket__customer")
        .order_by("due_at")
    )


def ticket_promises(ticket: Ticket) -> list[Promise]:
    return list(ticket.promises.select_related("made_by", "kept_by").order_by("due_at"))
