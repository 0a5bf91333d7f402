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
from sigap.customers.models import Customer
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
    return [
        {"id": row["pk"], **row["fields"]}
        for row in serializers.serialize("python", queryset)  # type: ignore[union-attr]
    ]


def _attachment_name(attachment: Attachment) -> str:
    return f"attachments/{attachment.pk}-{Path(attachment.filename).name or 'file'}"


def customer_export(customer: Customer, *, by: User | None = None, ip: str | None = None) -> bytes:
    """A zip with customer.json (the customer, identities, tickets, messages, events, surveys)
    and every attachment file of their tickets under attachments/."""
    _check(by)
    tickets = Ticket.objects.filter(customer=customer)
    messages = Message.objects.filter(ticket__customer=customer)
    attachments = list(Attachment.objects.filter(message__ticket__customer=customer).order_by("pk"))
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
            "identities": _rows(customer.identities.order_by("pk")),
            "tickets": _rows(tickets.order_by("pk")),
            "messages": _rows(messages.order_by("pk")),
            "events": _rows(TicketEvent.objects.filter(ticket__customer=customer).order_by("pk")),
            "surveys": _rows(Survey.objects.filter(ticket__customer=customer).order_by("pk")),
            "chat_visitors": _rows(ChatVisitor.objects.filter(customer=customer).order_by("pk")),
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


def _personal_strings(customer: Customer, bodies: list[str]) -> list[str]:
    texts = {customer.name, customer.notes, *customer.identities.values_list("value", flat=True)}
    texts.update(ChatVisitor.objects.filter(customer=customer).values_list("name", flat=True))
    texts.update(ChatVisitor.objects.filter(customer=customer).values_list("email", flat=True))
    texts.update(bodies)
    # Longest first, so a name inside a longer body is not replaced before the body is.
    return sorted((t for t in texts if t and len(t.strip()) >= 3), key=len, reverse=True)


def customer_erase(customer: Customer, *, by: User | None, ip: str | None = None) -> None:
    """Remove the customer's personal data; tickets, timestamps, channels and scores stay so the
    figures do not change. Their messages keep their place in each conversation with a marker
    instead of the text, and their attachments are deleted from disk."""
    _check(by)
    files: list[Path] = []
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        own = Q(ticket__customer=customer) & (
            Q(author_customer=customer) | Q(direction=Direction.INBOUND)
        )
        bodies = list(Message.objects.filter(own).values_list("body_text", flat=True))
        personal = _personal_strings(customer, bodies)
        attachments = Attachment.objects.filter(message__ticket__customer=customer)
        files = [stored_path(a) for a in attachments]
        attachment_count = attachments.count()
        attachments.delete()
        erased_messages = Message.objects.filter(own).update(
            body_text=ERASED, body_html=None, external_id=""
        )
        for message in Message.objects.filter(ticket__customer=customer).exclude(own):
            text = _scrub(message.body_text, personal)
            html = _scrub(message.body_html, personal)
            if text != message.body_text or html != message.body_html:
                Message.objects.filter(pk=message.pk).update(body_text=text, body_html=html)
        for ticket in Ticket.objects.filter(customer=customer):
            Ticket.objects.filter(pk=ticket.pk).update(subject=f"{ERASED} #{ticket.pk}")
        for event in TicketEvent.objects.filter(ticket__customer=customer).exclude(data={}):
            data = _scrub(event.data, personal)
            if data != event.data:
                TicketEvent.objects.filter(pk=event.pk).update(data=data)
        Survey.objects.filter(ticket__customer=customer).update(comment="")
        for model in (FollowUp, RecoveryTask):
            for row in model.objects.filter(ticket__customer=customer).exclude(note=""):
                model.objects.filter(pk=row.pk).update(note=_scrub(row.note, personal))
        InboundEmail.objects.filter(ticket__customer=customer).update(
            raw=b"", from_address="", subject=""
        )
        ChatVisitor.objects.filter(customer=customer).update(name="", email="")
        # A social conversation's raw webhook bodies and ids name the person; a new message from
        # them after erasure starts afresh rather than joining the erased ticket.
        InboundDelivery.objects.filter(ticket__customer=customer).update(
            raw=b"", headers={}, raw_removed_at=clock.now()
        )
        ConnectorMessage.objects.filter(message__ticket__customer=customer).update(files=[])
        ConnectorTicket.objects.filter(ticket__customer=customer).update(conversation_id="")
        identity_count = customer.identities.count()
        customer.identities.all().delete()
        customer.name = f"Erased customer #{customer.pk}"
        customer.notes = ""
        customer.save(update_fields=["name", "notes", "updated_at"])
        audit_record(
            action="customer_erased",
            actor=by,
            obj=customer,
            summary=f"customer #{customer.pk} erased",
            data={
                "identities": identity_count,
                "messages": erased_messages,
                "attachments": attachment_count,
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
