"""Turning received mail into tickets: once per message, on the right ticket, never in a loop.

Every message is kept as an InboundEmail row with its raw source, whatever becomes of it. A
message that cannot be processed is quarantined with the reason and never stops the ones after
it; an admin can process it again once the cause is fixed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core import clock
from sigap.core.errors import Conflict, NotAllowed
from sigap.core.rows import insert_one, select_by_pk, select_where
from sigap.customers.models import Customer, IdentityKind
from sigap.customers.services import Contact, IdentityInput, customer_for_identity
from sigap.intake.attachments import attachments_receive
from sigap.intake.lookups import Named, inbound_taken, mail_known
from sigap.intake.models import InboundEmail, InboundStatus, Mailbox
from sigap.intake.parsing import (
    MalformedEmail,
    ParsedEmail,
    automatic_kind,
    digest_message_id,
    message_id_only,
    parse_email,
    subject_reference,
)
from sigap.tickets.models import (
    Category,
    Channel,
    Message,
    Priority,
    Status,
    Ticket,
)
from sigap.tickets.services import ticket_open_with_message, ticket_receive

logger = logging.getLogger(__name__)

# Errors that say "try again later" (the database is down or busy), not "this mail is bad".
TEMPORARY_ERRORS = (OperationalError, InterfaceError)
MAX_ERROR_CHARS = 4000
MAX_HTML_CHARS = 2_000_000
# What processing a message changes on its row: saving only these leaves the raw source, which
# may be megabytes, where the insert put it instead of writing it a second time.
PROCESSED_FIELDS = [
    "from_address",
    "subject",
    "status",
    "detail",
    "error",
    "ticket",
    "ticket_message",
    "reprocessed_by",
    "reprocessed_at",
]


def _strip_mbox_line(raw: bytes) -> bytes:
    """An MTA pipe may put an mbox `From sender date` line before the headers."""
    if raw.startswith(b"From "):
        end = raw.find(b"\n")
        return raw[end + 1 :] if end >= 0 else b""
    return raw


def _existing(mailbox: Mailbox | None, message_id: str) -> InboundEmail | None:
    # Every message asks and nearly every answer is "no", so the question reads one column and
    # the row is loaded (raw source and all) only for a message seen before.
    found = inbound_taken(mailbox.pk if mailbox is not None else None, message_id)
    return select_by_pk(InboundEmail, found) if found is not None else None


def email_ingest(
    *, raw: bytes, mailbox: Mailbox | None, envelope_sender: str | None = None
) -> InboundEmail:
    """Take one received message; returns its InboundEmail row, new or already there.

    Raises only on a temporary database failure (the caller should try again later); anything
    wrong with the message itself ends in quarantine.
    """
    raw = _strip_mbox_line(raw)
    size = len(raw)
    is_truncated = size > settings.MAIL_MAX_BYTES
    message_id = ("" if is_truncated else message_id_only(raw)) or digest_message_id(raw)
    kept = raw[: settings.MAIL_MAX_BYTES] if is_truncated else raw
    received_at = clock.now()
    collided = False
    while True:
        inbound = InboundEmail(
            mailbox=mailbox,
            message_id=message_id,
            raw=kept,
            size=size,
            is_truncated=is_truncated,
            received_at=received_at,
            status=InboundStatus.QUARANTINED,
        )
        written: list[Path] = []
        try:
            with transaction.atomic():
                _act(inbound, kept, envelope_sender, written)
                # The row is written once, last, with what became of the mail. Its unique
                # key still makes a concurrent intake of the same message fail here, and
                # that intake's ticket goes with its rolled-back transaction.
                insert_one(inbound)
            return inbound
        except TEMPORARY_ERRORS:
            _remove(written)
            raise
        except _Taken as taken:
            # Delivered again (an MTA retrying): the row that took it stands, and nothing new
            # was written.
            return select_by_pk(InboundEmail, taken.pk)
        except IntegrityError as error:
            _remove(written)
            existing = _existing(mailbox, message_id)
            if existing is not None:
                return existing
            if collided:
                return _quarantine(inbound, error)
            # Another intake added what this one was adding, e.g. a new sender's two first
            # mails at once both adding the customer: once more finds theirs.
            logger.info("mail %s collided with another intake; again", message_id)
            collided = True
        except Exception as error:
            _remove(written)
            return _quarantine(inbound, error)


def _quarantine(inbound: InboundEmail, error: Exception) -> InboundEmail:
    """Keep the mail that could not be taken, with the reason, for an admin to look at; returns
    the stored row."""
    _mark_quarantined(inbound, error)
    try:
        with transaction.atomic():
            insert_one(inbound)
    except IntegrityError:
        # Taken meanwhile by a concurrent intake of the same message: that row stands.
        existing = _existing(inbound.mailbox, inbound.message_id)
        if existing is None:
            raise
        return existing
    return inbound


def _mark_quarantined(inbound: InboundEmail, error: Exception) -> None:
    logger.warning("mail %s quarantined: %s", inbound.message_id, error)
    inbound.status = InboundStatus.QUARANTINED
    inbound.ticket = None
    inbound.ticket_message = None
    inbound.detail = ""
    inbound.error = f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARS]


def email_reprocess(*, inbound: InboundEmail, by: User) -> InboundEmail:
    """An admin processes a quarantined message again, after fixing what stopped it."""
    if not by.has_perm("intake.change_inboundemail"):
        raise NotAllowed(_("You may not process received mail again."))
    with transaction.atomic():
        locked = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
        if locked.status != InboundStatus.QUARANTINED:
            raise Conflict(_("Only quarantined mail can be processed again."))
        locked.reprocessed_by = by
        locked.reprocessed_at = clock.now()
        locked.error = ""
        _process(locked, bytes(locked.raw), None)
    for field in InboundEmail._meta.concrete_fields:
        setattr(inbound, field.attname, getattr(locked, field.attname))
    return inbound


def _process(inbound: InboundEmail, raw: bytes, envelope_sender: str | None) -> None:
    """Decide and act inside a savepoint; on failure quarantine the row with the reason."""
    written: list[Path] = []
    try:
        with transaction.atomic():
            _act(inbound, raw, envelope_sender, written)
            inbound.save(update_fields=PROCESSED_FIELDS)
    except TEMPORARY_ERRORS:
        _remove(written)
        raise
    except Exception as error:
        _remove(written)
        _mark_quarantined(inbound, error)
        inbound.save(update_fields=PROCESSED_FIELDS)


class _Taken(Exception):  # noqa: N818  # not an error: the mail was taken before
    """This mailbox took the mail already, as row `pk`."""

    def __init__(self, pk: int) -> None:
        super().__init__(pk)
        self.pk = pk


def _act(
    inbound: InboundEmail, raw: bytes, envelope_sender: str | None, written: list[Path]
) -> None:
    """Read the mail and do what it asks for; raises on mail that cannot be taken, and _Taken
    for mail this mailbox took already (another row than `inbound`)."""
    if inbound.is_truncated:
        raise MalformedEmail(
            _("The message is larger than %(max)s bytes; only the start was kept.")
            % {"max": settings.MAIL_MAX_BYTES}
        )
    parsed = parse_email(raw)
    # Asked first, before anything is written. The mail is read (parsed) before asking, so
    # the question covers the messages it answers too: one round trip instead of two for every
    # new mail, at the price of reading a mail delivered again.
    known = mail_known(
        inbound.mailbox_id, inbound.message_id, [*parsed.in_reply_to, *parsed.references]
    )
    if known.taken is not None and known.taken != inbound.pk:
        raise _Taken(known.taken)
    inbound.from_address = parsed.from_address[:320]
    inbound.subject = parsed.subject[:255]
    _decide(inbound, parsed, known.named, envelope_sender, written)


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _decide(
    inbound: InboundEmail,
    parsed: ParsedEmail,
    named: list[Named],
    envelope_sender: str | None,
    written: list[Path],
) -> None:
    automatic = automatic_kind(parsed, envelope_sender=envelope_sender)
    if automatic is not None:
        # Recorded, never answered: no ticket, so no acknowledgement goes back.
        inbound.status = (
            InboundStatus.BOUNCE if automatic.kind == "bounce" else InboundStatus.AUTO_REPLY
        )
        inbound.detail = automatic.reason
        return
    # `named` holds both a copy of this very mail and the messages it answers.
    copy = min(
        (n for n in named if n.external_id == inbound.message_id and n.is_received_mail),
        key=lambda n: n.message_id,
        default=None,
    )
    if copy is not None:
        # The same mail sent to two of our mailboxes: one conversation, not two.
        inbound.status = InboundStatus.DUPLICATE
        inbound.ticket_id = copy.ticket_id
        inbound.ticket_message_id = copy.message_id
        inbound.detail = _("Already received as message %(id)s.") % {"id": copy.message_id}
        return
    if not parsed.from_address:
        raise MalformedEmail(_("The message has no usable From address."))
    # The sender is who the From header names; Reply-To is only where the sender wants
    # answers, and trusting it would let anyone write as someone else's customer.
    contact = customer_for_identity(
        identity=IdentityInput(IdentityKind.EMAIL, parsed.from_address),
        name=parsed.from_name,
    )
    body = _body(parsed)
    body_html = parsed.html if parsed.html and len(parsed.html) <= MAX_HTML_CHARS else None
    ticket = _thread(parsed, contact.customer, named)
    if ticket is not None:
        message = ticket_receive(
            ticket=ticket,
            customer=contact.customer,
            body=body,
            body_html=body_html,
            external_id=inbound.message_id,
        )
        inbound.status = InboundStatus.APPENDED
    else:
        ticket, message = _open(inbound, parsed, contact, body, body_html)
        inbound.status = InboundStatus.TICKET_CREATED
    inbound.ticket = ticket
    inbound.ticket_message = message
    now = clock.now()
    refused = attachments_receive(
        message=message, parts=parsed.attachments, at=now, written=written
    ).refused
    inbound.detail = "\n".join(
        _("Attachment %(name)s not kept: %(reason)s") % {"name": r.filename, "reason": r.reason}
        for r in refused
    )


def _body(parsed: ParsedEmail) -> str:
    body = parsed.text.strip() or _("(The message has no text.)")
    limit = settings.MESSAGE_MAX_CHARS
    if len(body) > limit:
        # The whole text stays in the raw source; the ticket shows the start.
        marker = "\n\n" + _("[The rest of this long message is in its original.]")
        body = body[: limit - len(marker)] + marker
    return body


def _subject(parsed: ParsedEmail) -> str:
    subject = parsed.subject.strip() or _("(no subject)")
    return subject[:255]


def _thread(parsed: ParsedEmail, customer: Customer, named: list[Named]) -> Ticket | None:
    """The open ticket this mail continues, if it is the same customer's.

    Message-IDs and ticket references are easy to guess, so a mail is only ever added to a
    ticket of the customer who sent it: nobody can write into a stranger's conversation.
    """
    answered = {*parsed.in_reply_to, *parsed.references}
    # `named` is newest first: the latest of the customer's messages this mail names.
    earlier = next(
        (n for n in named if n.external_id in answered and n.customer_id == customer.pk), None
    )
    if earlier is not None:
        if earlier.is_closed:
            return None  # a reply to a closed ticket starts a new one
        return select_by_pk(Ticket, earlier.ticket_id)
    reference = subject_reference(parsed.subject)
    if reference is not None:
        found = select_where(Ticket, '"id" = %s AND "customer_id" = %s', [reference, customer.pk])
        if found and found[0].status != Status.CLOSED:
            return found[0]
    return None


def _open(
    inbound: InboundEmail,
    parsed: ParsedEmail,
    contact: Contact,
    body: str,
    body_html: str | None,
) -> tuple[Ticket, Message]:
    mailbox = inbound.mailbox
    priority = Priority.NORMAL
    category: Category | None = None
    if mailbox is not None and mailbox.is_trusted:
        # Only mail from our own systems (a web form relay) may set ticket fields by header.
        priority, category = _trusted_fields(parsed)
    return ticket_open_with_message(
        customer=contact.customer,
        identity=contact.identity,
        first_contact=contact.is_new,
        channel=Channel.EMAIL,
        subject=_subject(parsed),
        body=body,
        body_html=body_html,
        team=mailbox.team if mailbox is not None else None,
        priority=priority,
        category=category,
        external_id=inbound.message_id,
    )


def _trusted_fields(parsed: ParsedEmail) -> tuple[Priority, Category | None]:
    wanted = parsed.headers.get("x-sigap-priority", "").strip().lower()
    priority = Priority(wanted) if wanted in Priority.values else Priority.NORMAL
    slug = parsed.headers.get("x-sigap-category", "").strip().lower()
    category = Category.objects.filter(slug=slug, is_active=True).first() if slug else None
    return priority, category
