"""Every change to a ticket. Each one checks, changes state, and writes timeline events.

Views, the API, the CLI, intake and background jobs all call these; none changes a ticket itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sigap.accounts.models import Team, User
from sigap.core import clock
from sigap.core.errors import Conflict, InvalidInput, NotAllowed
from sigap.core.html import sanitise_html
from sigap.core.jobs import job_enqueue
from sigap.core.realtime import publish_on_commit
from sigap.core.rows import insert_one, select_by_pk
from sigap.customers.models import Customer, CustomerIdentity
from sigap.feedback import services as feedback_services
from sigap.routing import services as routing_services
from sigap.sla import services as sla_services
from sigap.sops import services as sop_services
from sigap.sops.commitments import promises_from_reply
from sigap.tickets import access
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import (
    LIVE_CHANNELS,
    Category,
    Channel,
    DeliveryStatus,
    Direction,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)

# Which status may follow which. `new` is only ever a starting point; `closed` is final.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {
        Status.OPEN,
        Status.PENDING_CUSTOMER,
        Status.PENDING_INTERNAL,
        Status.RESOLVED,
        Status.CLOSED,
    },
    Status.OPEN: {Status.PENDING_CUSTOMER, Status.PENDING_INTERNAL, Status.RESOLVED, Status.CLOSED},
    Status.PENDING_CUSTOMER: {
        Status.OPEN,
        Status.PENDING_INTERNAL,
        Status.RESOLVED,
        Status.CLOSED,
    },
    Status.PENDING_INTERNAL: {
        Status.OPEN,
        Status.PENDING_CUSTOMER,
        Status.RESOLVED,
        Status.CLOSED,
    },
    Status.RESOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise InvalidInput(_("The message is empty."), field="body")
    if len(body) > settings.MESSAGE_MAX_CHARS:
        raise InvalidInput(
            _("The message is longer than %(max)s characters.")
            % {"max": settings.MESSAGE_MAX_CHARS},
            field="body",
        )
    return body


def _clean_subject(subject: str) -> str:
    subject = " ".join(subject.split())
    if not subject:
        raise InvalidInput(_("The subject is empty."), field="subject")
    if len(subject) > 255:
        raise InvalidInput(_("The subject is longer than 255 characters."), field="subject")
    return subject


def _check_works_on(by: User, ticket: Ticket) -> None:
    if not access.can_work_on(by, ticket):
        raise NotAllowed(_("You may not change this ticket."))


def _lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock so concurrent changes queue instead of clobbering."""
    # Every message of a live chat locks its ticket: a fixed statement, not an ORM query.
    return select_by_pk(Ticket, ticket.pk, for_update=True)


def _touch(ticket: Ticket, at: datetime, fields: list[str]) -> None:
    ticket.updated_at = at
    ticket.save(update_fields=[*fields, "updated_at"])
    publish_on_commit(
        access.realtime_groups(ticket), {"type": "ticket.changed", "ticket": ticket.pk}
    )


def _enqueue_delivery(message: Message) -> None:
    """Send the message after commit, through the outbox; a retried job sends it once."""
    job_enqueue(
        kind="deliver_message",
        payload={"message": message.pk},
        idempotency_key=f"deliver:{message.pk}",
    )


def _sync(target: Ticket, source: Ticket) -> None:
    """Copy the saved state back to the caller's object so it sees what was stored."""
    for field in Ticket._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _received(
    ticket: Ticket,
    customer: Customer,
    body: str,
    body_html: str | None,
    external_id: str,
    at: datetime,
    *,
    recorded_by: User | None = None,
) -> Message:
    """Store what the customer wrote on the ticket's channel (an agent records a call)."""
    return insert_one(
        Message(
            ticket=ticket,
            direction=Direction.INBOUND,
            channel=ticket.channel,
            author_user=recorded_by,
            author_customer=customer,
            body_text=body,
            body_html=sanitise_html(body_html) if body_html else None,
            delivery_status=DeliveryStatus.RECEIVED,
            external_id=external_id,
            created_at=at,
        )
    )


def ticket_open_with_message(
    *,
    customer: Customer,
    channel: Channel,
    subject: str,
    body: str,
    by: User | None = None,
    identity: CustomerIdentity | None = None,
    team: Team | None = None,
    priority: Priority = Priority.NORMAL,
    category: Category | None = None,
    assignee: User | None = None,
    body_html: str | None = None,
    external_id: str = "",
    at: datetime | None = None,
    first_contact: bool = False,
) -> tuple[Ticket, Message]:
    """A new ticket with the customer's first message.

    `by` is the agent who recorded it (a phone call, a walk-in), or None when the customer
    reached us themselves (mail, chat, social). `first_contact`: the customer was added for
    this very ticket, so has no earlier ones to count.
    """
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel %(channel)s.") % {"channel": channel})
    if by is not None:
        if not by.has_perm("tickets.add_ticket"):
            raise NotAllowed(_("You may not create tickets."))
        if team is not None and not (access.has_wide_access(by) or team.pk in access.team_ids(by)):
            raise NotAllowed(_("You may only open tickets for your own teams."))
    subject = _clean_subject(subject)
    body = _clean_body(body)
    now = at or clock.now()
    # No savepoint of its own inside a caller's transaction (mail intake, a chat's first
    # message): a failure here rolls back with the caller, as no caller catches one to carry
    # on, and the savepoint was two of a new mail's twenty round trips to PostgreSQL.
    with transaction.atomic(savepoint=False):
        ticket = insert_one(
            Ticket(
                subject=subject,
                customer=customer,
                identity=identity,
                channel=channel,
                priority=priority,
                category=category,
                team=team,
                language=customer.language,
                created_by=by,
                created_at=now,
                updated_at=now,
                last_customer_message_at=now,
                message_count=1,
            )
        )
        message = _received(ticket, customer, body, body_html, external_id, now, recorded_by=by)
        kind = EventKind.CONTACT_LOGGED if by is not None else EventKind.TICKET_CREATED
        event_record(
            ticket=ticket,
            kind=kind,
            at=now,
            by=by,
            customer=customer if by is None else None,
            message=message,
            data={"channel": channel, "subject": subject},
        )
        if assignee is not None:
            _assign(ticket=ticket, assignee=assignee, by=by, at=now)
        text = f"{subject}\n{body}"
        sop_services.sop_match_and_start(ticket=ticket, text=text)
        sla_services.sla_ticket_opened(
            ticket=ticket, text=text, at=now, first_contact=first_contact
        )
        if assignee is None:
            routing_services.route_new_ticket(ticket)
        publish_on_commit(
            access.realtime_groups(ticket), {"type": "ticket.created", "ticket": ticket.pk}
        )
    return ticket, message


def ticket_open(
    *,
    customer: Customer,
    channel: Channel,
    subject: str,
    body: str,
    by: User | None = None,
    identity: CustomerIdentity | None = None,
    team: Team | None = None,
    priority: Priority = Priority.NORMAL,
    category: Category | None = None,
    assignee: User | None = None,
    body_html: str | None = None,
    external_id: str = "",
    at: datetime | None = None,
    first_contact: bool = False,
) -> Ticket:
    """A new ticket with the customer's first message (see ticket_open_with_message)."""
    return ticket_open_with_message(
        customer=customer,
        channel=channel,
        subject=subject,
        body=body,
        by=by,
        identity=identity,
        team=team,
        priority=priority,
        category=category,
        assignee=assignee,
        body_html=body_html,
        external_id=external_id,
        at=at,
        first_contact=first_contact,
    )[0]


def ticket_log_contact(
    *,
    by: User,
    customer: Customer,
    channel: Channel,
    subject: str,
    summary: str,
    team: Team | None,
    priority: Priority = Priority.NORMAL,
    category: Category | None = None,
    resolved_on_the_spot: bool = False,
) -> Ticket:
    """An agent records a phone call or a walk-in visit as a ticket, assigned to themselves."""
    if channel not in LIVE_CHANNELS:
        raise InvalidInput(
            _("Only phone calls and walk-in visits are logged by hand."), field="channel"
        )
    with transaction.atomic():
        ticket = ticket_open(
            customer=customer,
            channel=channel,
            subject=subject,
            body=summary,
            by=by,
            team=team,
            priority=priority,
            category=category,
            assignee=by,
        )
        # Someone answered in person: that is the first response.
        Ticket.objects.filter(pk=ticket.pk).update(first_response_at=ticket.created_at)
        ticket.first_response_at = ticket.created_at
        if resolved_on_the_spot:
            ticket_change_status(ticket=ticket, by=by, status=Status.RESOLVED)
    return ticket


def ticket_receive(
    *,
    ticket: Ticket,
    customer: Customer,
    body: str,
    body_html: str | None = None,
    external_id: str = "",
) -> Message:
    """A further message from the customer. A waiting or resolved ticket becomes open again."""
    body = _clean_body(body)
    now = clock.now()
    # No savepoint inside a caller's transaction (mail intake), as for ticket_open_with_message.
    # A closed ticket is refused after the block, which then has written nothing: an error
    # inside it would break the caller's transaction for a caller that carries on (a chat
    # file on a conversation closed meanwhile starts the next one).
    with transaction.atomic(savepoint=False):
        locked = _lock(ticket)
        message = None
        if locked.status != Status.CLOSED:
            message = _received(locked, customer, body, body_html, external_id, now)
            _received_recorded(locked, message, customer, now)
            _sync(ticket, locked)
    if message is None:
        raise Conflict(_("This ticket is closed; a new message starts a new ticket."))
    return message


def _received_recorded(locked: Ticket, message: Message, customer: Customer, at: datetime) -> None:
    """The received message on the timeline and on the (locked) ticket, whose clocks move."""
    event_record(
        ticket=locked, kind=EventKind.MESSAGE_RECEIVED, at=at, customer=customer, message=message
    )
    fields = ["last_customer_message_at", "message_count"]
    locked.last_customer_message_at = at
    count = locked.message_count  # read under the row lock: nobody else adds one now
    locked.message_count = F("message_count") + 1
    reopened = locked.status in {Status.PENDING_CUSTOMER, Status.RESOLVED}
    if reopened:
        _set_status(locked, Status.OPEN, by=None, at=at, reason="customer_replied")
        fields += ["status", "resolved_at"]
    sla_services.sla_customer_wrote(ticket=locked, at=at)
    _touch(locked, at, fields)
    if reopened:
        locked.refresh_from_db()  # what the status change set in passing
    else:
        # Spares re-reading the row on every message of a live chat.
        locked.message_count = count + 1


def ticket_reply(*, ticket: Ticket, by: User, body: str, status: Status | None = None) -> Message:
    """Answer the customer on the ticket's channel; delivery happens after commit (outbox)."""
    _check_works_on(by, ticket)
    body = _clean_body(body)
    now = clock.now()
    with transaction.atomic():
        locked = _lock(ticket)
        if locked.status == Status.CLOSED:
            raise Conflict(_("This ticket is closed and cannot be answered."))
        if status is not None:
            _check_transition(locked, status)
        live = locked.channel in LIVE_CHANNELS
        message = Message.objects.create(
            ticket=locked,
            direction=Direction.OUTBOUND,
            channel=locked.channel,
            author_user=by,
            body_text=body,
            delivery_status=DeliveryStatus.IN_PERSON if live else DeliveryStatus.QUEUED,
            created_at=now,
        )
        event_record(ticket=locked, kind=EventKind.REPLY_SENT, at=now, by=by, message=message)
        promises_from_reply(ticket=locked, message=message, by=by)
        sla_services.sla_agent_replied(ticket=locked, at=now)
        if not live:
            _enqueue_delivery(message)
        fields = ["last_agent_message_at", "message_count"]
        locked.last_agent_message_at = now
        locked.message_count = F("message_count") + 1
        if locked.first_response_at is None:
            locked.first_response_at = now
            fields.append("first_response_at")
        new_status = status or (Status.OPEN if locked.status == Status.NEW else None)
        if new_status is not None and new_status != locked.status:
            _set_status(locked, new_status, by=by, at=now)
            fields += ["status", "resolved_at", "closed_at"]
        _touch(locked, now, fields)
        locked.refresh_from_db()
        _sync(ticket, locked)
    return message


def ticket_add_note(*, ticket: Ticket, by: User, body: str) -> Message:
    """An internal note: seen by staff only, never sent to the customer."""
    _check_works_on(by, ticket)
    body = _clean_body(body)
    now = clock.now()
    with transaction.atomic():
        locked = _lock(ticket)
        message = Message.objects.create(
            ticket=locked,
            direction=Direction.NOTE,
            channel=locked.channel,
            author_user=by,
            body_text=body,
            delivery_status=DeliveryStatus.INTERNAL,
            created_at=now,
        )
        event_record(ticket=locked, kind=EventKind.NOTE_ADDED, at=now, by=by, message=message)
        _touch(locked, now, [])
        _sync(ticket, locked)
    return message


def _check_transition(ticket: Ticket, status: str) -> None:
    if status not in Status.values:
        raise InvalidInput(_("Unknown status %(status)s.") % {"status": status}, field="status")
    if status == ticket.status:
        return
    if status in (Status.RESOLVED, Status.CLOSED):
        # Every path that resolves a ticket passes here, so the SOP close gate holds everywhere.
        sop_services.check_can_resolve(ticket)
    if status not in ALLOWED_TRANSITIONS[ticket.status]:
        raise Conflict(
            _("A ticket that is %(current)s cannot become %(wanted)s.")
            % {
                "current": Status(ticket.status).label,
                "wanted": Status(status).label,
            },
            field="status",
        )


def _set_status(
    ticket: Ticket,
    status: str,
    *,
    by: User | None,
    at: datetime,
    reason: str = "",
    note: str = "",
) -> None:
    previous = ticket.status
    ticket.status = status
    if status == Status.RESOLVED:
        ticket.resolved_at = at
    elif status == Status.CLOSED:
        ticket.closed_at = at
        ticket.resolved_at = ticket.resolved_at or at
    else:
        ticket.resolved_at = None
    data: dict[str, Any] = {"from": previous, "to": status}
    if reason:
        data["reason"] = reason
    if note:
        # The person's own words; `reason` is a code the desk sets itself.
        data["note"] = note
    event_record(ticket=ticket, kind=EventKind.STATUS_CHANGED, at=at, by=by, data=data)
    sop_services.sop_ticket_changed(ticket)
    sla_services.sla_status_changed(ticket=ticket, previous=previous, at=at)
    feedback_services.feedback_status_changed(ticket=ticket, previous=previous, by=by, at=at)
    routing_services.routing_status_changed(ticket=ticket, previous=previous, by=by, at=at)


STATUS_NOTE_MAX_CHARS = 500


def ticket_change_status(*, ticket: Ticket, by: User, status: str, reason: str = "") -> Ticket:
    """`reason`: why, in the person's words, shown on the timeline with the change."""
    _check_works_on(by, ticket)
    reason = " ".join(reason.split())
    if len(reason) > STATUS_NOTE_MAX_CHARS:
        raise InvalidInput(
            _("The reason is longer than %(max)s characters.") % {"max": STATUS_NOTE_MAX_CHARS},
            field="reason",
        )
    now = clock.now()
    with transaction.atomic():
        locked = _lock(ticket)
        _check_transition(locked, status)
        if locked.status != status:
            _set_status(locked, status, by=by, at=now, note=reason)
            _touch(locked, now, ["status", "resolved_at", "closed_at"])
        _sync(ticket, locked)
    return ticket


def _set_priority(ticket: Ticket, priority: str, *, by: User | None, at: datetime) -> None:
    event_record(
        ticket=ticket,
        kind=EventKind.PRIORITY_CHANGED,
        at=at,
        by=by,
        data={"from": ticket.priority, "to": priority},
    )
    ticket.priority = priority
    _touch(ticket, at, ["priority"])


def ticket_change_priority(*, ticket: Ticket, by: User, priority: str) -> Ticket:
    _check_works_on(by, ticket)
    if priority not in Priority.values:
        raise InvalidInput(
            _("Unknown priority %(priority)s.") % {"priority": priority}, field="priority"
        )
    now = clock.now()
    with transaction.atomic():
        locked = _lock(ticket)
        if locked.priority != priority:
            _set_priority(locked, priority, by=by, at=now)
        _sync(ticket, locked)
    return ticket


def ticket_change_category(*, ticket: Ticket, by: User, category: Category | None) -> Ticket:
    _check_works_on(by, ticket)
    if category is not None and not category.is_active:
        raise InvalidInput(_("This category is no longer in use."), field="category")
    now = clock.now()
    with transaction.atomic():
        locked = _lock(ticket)
        new_id = category.pk if category else None
        if locked.category_id != new_id:
            event_record(
                ticket=locked,
                kind=EventKind.CATEGORY_CHANGED,
                at=now,
                by=by,
                data={
                    "from": locked.category.name if locked.category else None,
                    "to": category.name if category else None,
                },
            )
            locked.category = category
            _touch(locked, now, ["category"])
        _sync(ticket, locked)
    return ticket


def ticket_change_subject(*, ticket: Ticket, by: User, subject: str) -> Ticket:
    _check_works_on(by, ticket)
    subject = _clean_subject(subject)
    now = clock.now()
    with transaction.atomic():
        locked = _lock(ticket)
        if locked.subject != subject:
            event_record(
                ticket=locked,
                kind=EventKind.SUBJECT_CHANGED,
                at=now,
                by=by,
                data={"from": locked.subject, "to": subject},
            )
            locked.subject = subject
            _touch(locked, now, ["subject"])
        _sync(ticket, locked)
    return ticket


def ticket_change_team(*, ticket: Ticket, by: User, team: Team | None) -> Ticket:
    """Move the ticket to another team. An assignee outside the new team is unassigned."""
    _check_works_on(by, ticket)
    if team is None and not access.has_wide_access(by):
        raise NotAllowed(_("Only a manager may leave a ticket without a team."), field="team")
    now = clock.now()
    with transaction.atomic():
        locked = _lock(ticket)
        new_id = team.pk if team else None
        if locked.team_id != new_id:
            old_groups = access.realtime_groups(locked)
            event_record(
                ticket=locked,
                kind=EventKind.TEAM_CHANGED,
                at=now,
                by=by,
                data={
                    "from": locked.team.name if locked.team else None,
                    "to": team.name if team else None,
                },
            )
            locked.team = team
            fields = ["team"]
            if locked.assignee is not None and (
                team is None or not locked.assignee.teams.filter(pk=team.pk).exists()
            ):
                _assign(ticket=locked, assignee=None, by=by, at=now)
                fields.append("assignee")
            # The old team's lists must drop the ticket too.
            publish_on_commit(old_groups, {"type": "ticket.changed", "ticket": locked.pk})
            # Open SOP steps in business time now count the new team's office hours.
            sop_services.sop_ticket_changed(locked)
            _touch(locked, now, fields)
            # Without its agent, it goes to a free agent of the new team or its queue.
            routing_services.routing_team_changed(ticket=locked, at=now)
        _sync(ticket, locked)
    return ticket


def _assign(*, ticket: Ticket, assignee: User | None, by: User | None, at: datetime) -> None:
    event_record(
        ticket=ticket,
        kind=EventKind.ASSIGNEE_CHANGED,
        at=at,
        by=by,
        data={
            "from": ticket.assignee.display_name if ticket.assignee else None,
            "to": assignee.display_name if assignee else None,
            "to_id": assignee.pk if assignee else None,
        },
    )
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee"])


def _reassign(ticket: Ticket, assignee: User | None, *, by: User | None, at: datetime) -> None:
    """Assign a locked ticket; the lists of the one it leaves drop it too."""
    old_groups = access.realtime_groups(ticket)
    _assign(ticket=ticket, assignee=assignee, by=by, at=at)
    publish_on_commit(old_groups, {"type": "ticket.changed", "ticket": ticket.pk})
    _touch(ticket, at, [])


def _check_assignable(*, ticket: Ticket, assignee: User, by: User) -> None:
    if not assignee.is_active or not assignee.has_perm("tickets.change_ticket"):
        raise InvalidInput(
            _("%(name)s cannot work on tickets.") % {"name": assignee.display_name},
            field="assignee",
        )
    in_team = ticket.team_id is not None and assignee.teams.filter(pk=ticket.team_id).exists()
    outsider = not in_team and not access.has_wide_access(assignee)
    if outsider and not by.has_perm("tickets.assign_any_agent"):
        raise NotAllowed(
            _("%(name)s is not in this ticket's team.") % {"name": assignee.display_name},
            field="assignee",
        )


def ticket_assign(*, ticket: Ticket, by: User, assignee: User | None) -> Ticket:
    _check_works_on(by, ticket)
    now = clock.now()
    with transaction.atomic():
        locked = _lock(ticket)
        if assignee is not None:
            _check_assignable(ticket=locked, assignee=assignee, by=by)
        new_id = assignee.pk if assignee else None
        if locked.assignee_id != new_id:
            _reassign(locked, assignee, by=by, at=now)
        _sync(ticket, locked)
    return ticket


def ticket_lock_for_work(*, ticket: Ticket, by: User | None) -> Ticket:
    """Check and lock for a change another app makes; `by` None is the desk acting itself.
    Call inside a transaction."""
    if by is not None:
        _check_works_on(by, ticket)
    return _lock(ticket)


def ticket_assign_by_system(*, ticket: Ticket, assignee: User | None, at: datetime) -> None:
    """The desk hands a locked ticket to someone (the escalation ladder, routing), or takes it
    from an agent who is not there so it waits in the team queue (None)."""
    _reassign(ticket, assignee, by=None, at=at)


def ticket_raise_priority(*, ticket: Ticket, priority: str, at: datetime) -> None:
    """The desk raises a locked ticket's priority (the escalation ladder)."""
    _set_priority(ticket, priority, by=None, at=at)


def ticket_notify_customer(*, ticket: Ticket, body: str, at: datetime) -> Message | None:
    """An automatic notice to the customer of a locked ticket, sent through the outbox. It is
    not an answer, so no response target counts it. Nothing is sent on live channels."""
    if ticket.channel in LIVE_CHANNELS:
        return None
    message = Message.objects.create(
        ticket=ticket,
        direction=Direction.OUTBOUND,
        channel=ticket.channel,
        body_text=_clean_body(body),
        delivery_status=DeliveryStatus.QUEUED,
        created_at=at,
    )
    event_record(ticket=ticket, kind=EventKind.CUSTOMER_NOTIFIED, at=at, message=message)
    _enqueue_delivery(message)
    ticket.message_count = F("message_count") + 1
    _touch(ticket, at, ["message_count"])
    ticket.refresh_from_db(fields=["message_count"])
    return message


def ticket_reopen_by_system(*, ticket: Ticket, at: datetime, reason: str) -> bool:
    """The desk reopens a locked, resolved ticket (a follow-up found the problem continues)."""
    if ticket.status != Status.RESOLVED:
        return False
    _set_status(ticket, Status.OPEN, by=None, at=at, reason=reason)
    _touch(ticket, at, ["status", "resolved_at"])
    return True


def tickets_customer_merged(*, by: User, source: Customer, target: Customer) -> int:
    """Move every ticket of `source` to `target`, with a timeline event on each."""
    now = clock.now()
    ticket_ids = list(Ticket.objects.filter(customer=source).values_list("pk", flat=True))
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=pk,
            kind=EventKind.CUSTOMER_MERGED,
            actor_user=by,
            data={"from": source.pk, "to": target.pk, "from_name": source.display_name},
            created_at=now,
        )
        for pk in ticket_ids
    )
    Ticket.objects.filter(pk__in=ticket_ids).update(customer=target, updated_at=now)
    Message.objects.filter(author_customer=source).update(author_customer=target)
    return len(ticket_ids)
