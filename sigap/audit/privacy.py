"""Everything held about one customer: handing it over (export) and removing it (erasure)."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import Path
from typing import Any

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sigap.accounts.models import Role, User
from sigap.audit.services import audit_record
from sigap.chat.models import ChatVisitor
from sigap.connectors.models import ConnectorMessage, ConnectorTicket, InboundDelivery
from sigap.core import clock
from sigap.core.errors import NotAllowed
from sigap.customers.models import Customer, CustomerIdentity
from sigap.feedback.models import FollowUp, RecoveryTask, Survey
from sigap.intake.models import InboundEmail
from sigap.tickets.downloads import stored_path
from sigap.tickets.models import Attachment, Direction, Message, Ticket, TicketEvent

logger = logging.getLogger(__name__)

ERASED = "[erased]"


def may_handle_personal_data(user: User) -> bool:
    """Exports and erasures are for managers and admins only."""
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=[Role.MANAGER, Role.ADMIN]).exists()


def _check(by: User | None) -> None:
    # None: the command line, run by whoever operates the server.
    if by is not None and not may_handle_personal_data(by):
        raise NotAllowed(_("Only a manager may export or erase a customer's data."))


def _rows(queryset: models.QuerySet[Any]) -> list[dict[str, Any]]:
    return [{"id": row["pk"], **row["fields"]} for row in serializers.serialize("python", queryset)]


def _attachment_name(attachment: Attachment) -> str:
    return f"attachments/{attachment.pk}-{Path(attachment.filename).name or 'file'}"


def customer_export(customer: Customer, *, by: User | None = None, ip: str | None = None) -> bytes:
    """A zip with customer.json (the customer, identities, tickets, messages, events, surveys)
    and every attachment file of their tickets under attachments/."""
    _check(by)
    ids = records_of(customer)
    tickets = Ticket.objects.filter(customer_id__in=ids)
    messages = Message.objects.filter(ticket__customer_id__in=ids)
    attachments = list(
        Attachment.objects.filter(message__ticket__customer_id__in=ids).order_by("pk")
    )
    missing: list[int] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for attachment in attachments:
            try:
                payload = stored_path(attachment).read_bytes()
            except FileNotFoundError:
                missing.append(attachment.pk)
                continue
            archive.writestr(_attachment_name(attachment), payload)
        document = {
            "exported_at": clock.now(),
            "customer": _rows(Customer.objects.filter(pk=customer.pk))[0],
            "merged_records": _rows(Customer.objects.filter(pk__in=ids[1:]).order_by("pk")),
            "identities": _rows(
                CustomerIdentity.objects.filter(customer_id__in=ids).order_by("pk")
            ),
            "tickets": _rows(tickets.order_by("pk")),
            "messages": _rows(messages.order_by("pk")),
            "events": _rows(TicketEvent.objects.filter(ticket__customer_id__in=ids).order_by("pk")),
            "surveys": _rows(Survey.objects.filter(ticket__customer_id__in=ids).order_by("pk")),
            "chat_visitors": _rows(ChatVisitor.objects.filter(customer_id__in=ids).order_by("pk")),
            "attachments": [
                {
                    **_rows(Attachment.objects.filter(pk=a.pk))[0],
                    "file": None if a.pk in missing else _attachment_name(a),
                }
                for a in attachments
            ],
        }
        archive.writestr(
            "customer.json",
            json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        )
    audit_record(
        action="customer_exported",
        actor=by,
        obj=customer,
        summary=f"customer #{customer.pk} exported",
        data={"tickets": tickets.count(), "attachments": len(attachments), "missing": missing},
        ip=ip,
    )
    return buffer.getvalue()


def _scrub(value: Any, personal: list[str]) -> Any:
    """`value` with every personal string in it replaced by the marker, at any depth."""
    if isinstance(value, str):
        for text in personal:
            value = value.replace(text, ERASED)
        return value
    if isinstance(value, list):
        return [_scrub(item, personal) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, personal) for key, item in value.items()}
    return value


def records_of(customer: Customer) -> list[int]:
    """The customer and every record merged into it, directly or through another one."""
    ids = [customer.pk]
    frontier = ids
    while frontier:
        frontier = list(
            Customer.objects.filter(merged_into_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids = ids + frontier
    return ids


def _personal_strings(ids: list[int], bodies: list[str]) -> list[str]:
    texts: set[str] = set(bodies)
    for name, notes in Customer.objects.filter(pk__in=ids).values_list("name", "notes"):
        texts.update((name, notes))
    texts.update(
        CustomerIdentity.objects.filter(customer_id__in=ids).values_list("value", flat=True)
    )
    for name, email in ChatVisitor.objects.filter(customer_id__in=ids).values_list("name", "email"):
        texts.update((name, email))
    # Longest first, so a name inside a longer body is not replaced before the body is.
    return sorted((t for t in texts if t and len(t.strip()) >= 3), key=len, reverse=True)


def _scrub_rows(queryset: models.QuerySet[Any], field: str, personal: list[str]) -> None:
    for pk, value in queryset.values_list("pk", field):
        cleaned = _scrub(value, personal)
        if cleaned != value:
            queryset.model.objects.filter(pk=pk).update(**{field: cleaned})


def _erase_conversations(ids: list[int], personal: list[str], own: Q) -> int:
    """Blank what the customer wrote and scrub their name and addresses from what others wrote."""
    on_tickets = Q(ticket__customer_id__in=ids)
    erased = Message.objects.filter(own).update(body_text=ERASED, body_html=None, external_id="")
    others = Message.objects.filter(on_tickets).exclude(own)
    _scrub_rows(others, "body_text", personal)
    _scrub_rows(others, "body_html", personal)
    for pk in Ticket.objects.filter(customer_id__in=ids).values_list("pk", flat=True):
        Ticket.objects.filter(pk=pk).update(subject=f"{ERASED} #{pk}")
    _scrub_rows(TicketEvent.objects.filter(on_tickets).exclude(data={}), "data", personal)
    Survey.objects.filter(on_tickets).update(comment="")
    _scrub_rows(FollowUp.objects.filter(on_tickets).exclude(note=""), "note", personal)
    _scrub_rows(RecoveryTask.objects.filter(on_tickets).exclude(note=""), "note", personal)
    return erased


def _erase_raw_sources(ids: list[int]) -> None:
    on_tickets = Q(ticket__customer_id__in=ids)
    InboundEmail.objects.filter(on_tickets).update(raw=b"", from_address="", subject="")
    # A social conversation's raw webhook bodies and ids name the person; a new message from
    # them after erasure starts afresh rather than joining the erased ticket.
    InboundDelivery.objects.filter(on_tickets).update(
        raw=b"", headers={}, raw_removed_at=clock.now()
    )
    ConnectorMessage.objects.filter(message__ticket__customer_id__in=ids).update(files=[])
    ConnectorTicket.objects.filter(on_tickets).update(conversation_id="")
    ChatVisitor.objects.filter(customer_id__in=ids).update(name="", email="")


def customer_erase(customer: Customer, *, by: User | None, ip: str | None = None) -> None:
    """Remove the customer's personal data; tickets, timestamps, channels and scores stay so the
    figures do not change. Their messages keep their place in each conversation with a marker
    instead of the text, and their attachments are deleted from disk. Records merged into this
    customer earlier are erased with it."""
    _check(by)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        ids = records_of(customer)
        own = Q(ticket__customer_id__in=ids) & (
            Q(author_customer_id__in=ids) | Q(direction=Direction.INBOUND)
        )
        bodies = list(Message.objects.filter(own).values_list("body_text", flat=True))
        personal = _personal_strings(ids, bodies)
        attachments = Attachment.objects.filter(message__ticket__customer_id__in=ids)
        files = [stored_path(a) for a in attachments]
        attachments.delete()
        erased_messages = _erase_conversations(ids, personal, own)
        _erase_raw_sources(ids)
        identities, _counts = CustomerIdentity.objects.filter(customer_id__in=ids).delete()
        for pk in ids:
            Customer.objects.filter(pk=pk).update(
                name=f"Erased customer #{pk}", notes="", updated_at=clock.now()
            )
        audit_record(
            action="customer_erased",
            actor=by,
            obj=customer,
            summary=f"customer #{customer.pk} erased",
            data={
                "records": ids,
                "identities": identities,
                "messages": erased_messages,
                "attachments": len(files),
            },
            ip=ip,
        )
        transaction.on_commit(lambda: _unlink(files))


def _unlink(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            logger.exception("could not remove the erased attachment %s", path)
