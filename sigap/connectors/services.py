"""Messages from connectors become tickets; agents' replies go back out through them.

Every authentic request is kept as an InboundDelivery row with its raw body, whatever became of
it: a body that cannot be read is quarantined with the reason (an admin sees it and can process
it again), never dropped. A repeated delivery or message id is answered as a duplicate and
changes nothing, so a sender's retries are harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.connectors.files import files_fetch_enqueue
from sigap.connectors.models import (
    Connector,
    ConnectorMessage,
    ConnectorTicket,
    DeliveryStatus,
    InboundDelivery,
    new_inbound_key,
)
from sigap.connectors.registry import InboundMessage, Malformed, Parsed, UnknownKind, kind_get
from sigap.connectors.vault import SecretsUnreadable, seal, unseal
from sigap.core import clock
from sigap.core.errors import Conflict, DomainError, NotAllowed
from sigap.customers.models import Customer, IdentityKind
from sigap.customers.services import IdentityInput, customer_for_identity, identity_add
from sigap.tickets.models import Category, Channel, Message, Priority, Status, Ticket
from sigap.tickets.services import ticket_open, ticket_receive

logger = logging.getLogger(__name__)

# Headers kept with a raw request, for an admin reading it later. Secrets are never kept.
KEPT_HEADERS = (
    "Content-Type",
    "User-Agent",
    "X-Sigap-Timestamp",
    "X-Sigap-Signature",
    "X-Sigap-Delivery",
)
MAX_ERROR_CHARS = 4000
SUBJECT_CHARS = 80
RACE_ATTEMPTS = 3
MAX_MESSAGE_AGE = timedelta(days=1)
# What processing decides; the raw body is written once, never again.
_OUTCOME_FIELDS = ["status", "error", "detail", "ticket"]


@dataclass
class Outcome:
    """What the sender is told: an HTTP status, a word for what happened, and why."""

    status: int
    code: str
    detail: str = ""
    delivery: InboundDelivery | None = None
    tickets: list[Ticket] = field(default_factory=list)


def connector_secrets(connector: Connector) -> dict[str, str]:
    return unseal(connector.sealed_secrets)


def connector_set_secrets(*, connector: Connector, secrets: Mapping[str, str]) -> None:
    """Replace the named secrets (others stay); stored encrypted."""
    try:
        current = connector_secrets(connector)
    except SecretsUnreadable:
        current = {}
    current.update({name: value for name, value in secrets.items() if value})
    connector.sealed_secrets = seal(current)
    if connector.pk is not None:
        connector.save(update_fields=["sealed_secrets"])


def connector_new_address(*, connector: Connector) -> Connector:
    """A new unguessable inbound key (the old address leaked): the old one stops at once."""
    connector.inbound_key = new_inbound_key()
    connector.save(update_fields=["inbound_key"])
    return connector


def inbound_receive(*, connector: Connector, headers: Mapping[str, str], body: bytes) -> Outcome:
    """Take one request a connector received. Raises Rejected when it is not authentic."""
    try:
        kind = kind_get(connector.kind)
        secrets = connector_secrets(connector)
    except (UnknownKind, SecretsUnreadable) as error:
        logger.error("connector %s: %s", connector.pk, error)
        return Outcome(503, "misconfigured", str(error))
    now = clock.now()
    header_delivery_id = kind.authenticate(
        connector=connector, secrets=secrets, headers=headers, body=body, now=now
    )
    kept_headers = {name: headers[name] for name in KEPT_HEADERS if name in headers}
    try:
        parsed = kind.parse(body=body)
    except Malformed as problem:
        return _quarantine_unreadable(connector, header_delivery_id, kept_headers, body, problem)
    delivery_id = parsed.delivery_id or header_delivery_id
    for attempt in range(RACE_ATTEMPTS):
        try:
            with transaction.atomic():
                # The row first: its unique delivery id makes a concurrent replay fail here.
                delivery = InboundDelivery.objects.create(
                    connector=connector,
                    delivery_id=delivery_id,
                    raw=body,
                    headers=kept_headers,
                    received_at=now,
                    status=DeliveryStatus.QUARANTINED,
                )
                return _process(connector, delivery, parsed)
        except IntegrityError:
            earlier = _earlier(connector, delivery_id)
            if earlier is not None:
                return _duplicate_of(earlier)
            # Another request created the same customer or message a moment ago: everything
            # was rolled back, and the next attempt finds what it made.
            if attempt + 1 == RACE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _earlier(connector: Connector, delivery_id: str) -> InboundDelivery | None:
    if not delivery_id:
        return None
    return InboundDelivery.objects.filter(connector=connector, delivery_id=delivery_id).first()


def _duplicate_of(earlier: InboundDelivery) -> Outcome:
    logger.info(
        "connector %s: delivery %s received again; nothing changed",
        earlier.connector_id,
        earlier.delivery_id,
    )
    return Outcome(
        200,
        "duplicate",
        _("Delivery %(id)s was received before; nothing was changed.")
        % {"id": earlier.delivery_id},
        earlier,
    )


def _quarantine_unreadable(
    connector: Connector,
    delivery_id: str,
    headers: dict[str, str],
    body: bytes,
    problem: Malformed,
) -> Outcome:
    earlier = _earlier(connector, delivery_id)
    if earlier is not None:
        return Outcome(problem.status, "quarantined", problem.message, earlier)
    logger.warning("connector %s: quarantined a request: %s", connector.pk, problem.message)
    delivery: InboundDelivery | None
    try:
        delivery = InboundDelivery.objects.create(
            connector=connector,
            delivery_id=delivery_id,
            raw=body,
            headers=headers,
            received_at=clock.now(),
            status=DeliveryStatus.QUARANTINED,
            error=problem.message[:MAX_ERROR_CHARS],
        )
    except IntegrityError:
        delivery = _earlier(connector, delivery_id)
    return Outcome(problem.status, "quarantined", problem.message, delivery)


def _process(connector: Connector, delivery: InboundDelivery, parsed: Parsed) -> Outcome:
    """Act on the messages inside a savepoint; on a problem with them, quarantine the row."""
    if not parsed.messages:
        delivery.status = DeliveryStatus.IGNORED
        delivery.detail = parsed.ignored_reason
        delivery.save(update_fields=_OUTCOME_FIELDS)
        return Outcome(200, "ignored", parsed.ignored_reason, delivery)
    tickets: list[Ticket] = []
    try:
        with transaction.atomic():
            for message in parsed.messages:
                try:
                    with transaction.atomic():
                        ticket = _take(connector, delivery, message)
                except _Duplicate:
                    continue
                if ticket is not None:
                    tickets.append(ticket)
    except (DomainError, ValueError) as error:
        reason = getattr(error, "message", str(error))
        logger.warning(
            "connector %s: quarantined delivery %s: %s", connector.pk, delivery.pk, reason
        )
        delivery.status = DeliveryStatus.QUARANTINED
        delivery.error = f"{type(error).__name__}: {reason}"[:MAX_ERROR_CHARS]
        delivery.ticket = None
        delivery.save(update_fields=_OUTCOME_FIELDS)
        return Outcome(422, "quarantined", reason, delivery)
    delivery.error = ""
    if not tickets:
        delivery.status = DeliveryStatus.DUPLICATE
        delivery.detail = _("Every message in it was received before.")
        delivery.save(update_fields=_OUTCOME_FIELDS)
        return Outcome(200, "duplicate", delivery.detail, delivery)
    delivery.status = DeliveryStatus.ACCEPTED
    delivery.ticket = tickets[-1]
    delivery.save(update_fields=_OUTCOME_FIELDS)
    return Outcome(200, "accepted", "", delivery, tickets)


def _take(
    connector: Connector, delivery: InboundDelivery, inbound: InboundMessage
) -> Ticket | None:
    """One message onto the conversation's open ticket, or a new ticket; None if seen before."""
    if ConnectorMessage.objects.filter(
        connector=connector, external_id=inbound.external_id
    ).exists():
        return None
    language = "en" if inbound.sender.language.lower().startswith("en") else "id"
    customer, identity, is_new = customer_for_identity(
        identity=IdentityInput(IdentityKind.SOCIAL, inbound.sender.id, network=connector.network),
        name=inbound.sender.name,
        language=language,
    )
    if inbound.sender.phone:
        _add_phone(customer, inbound.sender.phone)
    body = _body(inbound)
    message: Message | None = None
    link = (
        ConnectorTicket.objects.select_related("ticket")
        .filter(connector=connector, conversation_id=inbound.conversation_id)
        .exclude(ticket__status=Status.CLOSED)
        .order_by("-ticket")
        .first()
    )
    ticket = link.ticket if link is not None else None
    if ticket is not None:
        try:
            # A closed ticket is refused with nothing written, so no savepoint is needed to
            # carry on after the refusal.
            message = ticket_receive(
                ticket=ticket, customer=customer, body=body, external_id=inbound.external_id
            )
        except Conflict:
            ticket = None  # closed meanwhile: the message starts a new ticket
    if ticket is None or message is None:
        priority, category = _trusted_fields(connector, inbound)
        ticket = ticket_open(
            at=_opened_at(inbound),
            customer=customer,
            identity=identity,
            channel=Channel.SOCIAL,
            subject=_subject(inbound, customer.display_name),
            body=body,
            team=connector.team,
            priority=priority,
            category=category,
            external_id=inbound.external_id,
            first_contact=is_new,
        )
        ConnectorTicket.objects.create(
            ticket=ticket, connector=connector, conversation_id=inbound.conversation_id
        )
        message = ticket.messages.get()
    try:
        with transaction.atomic():
            record = ConnectorMessage.objects.create(
                connector=connector,
                external_id=inbound.external_id,
                message=message,
                delivery=delivery,
                files=[asdict(file) for file in inbound.files],
            )
    except IntegrityError:
        # Taken by a concurrent request a moment ago: undo this copy of it.
        raise _Duplicate() from None
    if inbound.files and kind_get(connector.kind).fetches_files:
        files_fetch_enqueue(record)
    return ticket


class _Duplicate(Exception):
    """The message was taken by a concurrent request; this copy is rolled back."""


def _add_phone(customer: Customer, phone: str) -> None:
    try:
        with transaction.atomic():
            identity_add(
                by=None, customer=customer, identity=IdentityInput(IdentityKind.PHONE, phone)
            )
    except DomainError as refused:
        # Owned by another customer, or not a number: the message still counts; an agent can
        # merge the two customers if they are one person.
        logger.info("customer %s: shared phone not added: %s", customer.pk, refused.message)


def _opened_at(inbound: InboundMessage) -> datetime:
    """When the customer wrote, so response targets count from then (a message that waited in
    the sender's retry queue is not younger than it is); our clock when the claim is not
    plausible: in the future, or older than the sender would still be retrying."""
    now = clock.now()
    sent_at = inbound.sent_at
    if sent_at is None or sent_at > now or now - sent_at > MAX_MESSAGE_AGE:
        return now
    return sent_at


def _body(inbound: InboundMessage) -> str:
    lines = [inbound.text.strip()] if inbound.text.strip() else []
    lines += [f"[{file.label or file.filename or file.kind}]" for file in inbound.files]
    body = "\n".join(lines) or _("(The message has no text.)")
    return body[: settings.MESSAGE_MAX_CHARS]


def _subject(inbound: InboundMessage, name: str) -> str:
    if inbound.subject.strip():
        return inbound.subject.strip()[:255]
    first_line = next((line.strip() for line in inbound.text.splitlines() if line.strip()), "")
    if not first_line:
        return _("Message from %(name)s") % {"name": name}
    if len(first_line) > SUBJECT_CHARS:
        return first_line[: SUBJECT_CHARS - 1].rstrip() + "…"
    return first_line


def _trusted_fields(
    connector: Connector, inbound: InboundMessage
) -> tuple[Priority, Category | None]:
    if not connector.is_trusted:
        # An outside sender must not be able to mark its own message urgent.
        return Priority.NORMAL, None
    priority = (
        Priority(inbound.priority) if inbound.priority in Priority.values else Priority.NORMAL
    )
    category = (
        Category.objects.filter(slug=inbound.category, is_active=True).first()
        if inbound.category
        else None
    )
    return priority, category


def inbound_reprocess(*, delivery: InboundDelivery, by: User) -> Outcome:
    """An admin processes a quarantined delivery again (after fixing what stopped it)."""
    if not by.has_perm("connectors.change_inbounddelivery"):
        raise NotAllowed(_("You may not process received messages again."))
    with transaction.atomic():
        locked = (
            InboundDelivery.objects.select_for_update()
            .select_related("connector")
            .get(pk=delivery.pk)
        )
        if locked.status != DeliveryStatus.QUARANTINED:
            raise Conflict(_("Only quarantined deliveries can be processed again."))
        locked.reprocessed_by = by
        locked.reprocessed_at = clock.now()
        locked.save(update_fields=["reprocessed_by", "reprocessed_at"])
        kind = kind_get(locked.connector.kind)
        try:
            parsed = kind.parse(body=bytes(locked.raw))
        except Malformed as problem:
            locked.error = problem.message[:MAX_ERROR_CHARS]
            locked.save(update_fields=_OUTCOME_FIELDS)
            outcome = Outcome(problem.status, "quarantined", problem.message, locked)
        else:
            outcome = _process(locked.connector, locked, parsed)
    for model_field in InboundDelivery._meta.concrete_fields:
        setattr(delivery, model_field.attname, getattr(locked, model_field.attname))
    return outcome
