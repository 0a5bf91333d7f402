"""Tickets, their messages, and the append-only timeline of everything that happened."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import Team
from sigap.customers.models import Customer, CustomerIdentity

REFERENCE_PREFIX = "SGP-"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Live chat")
    SOCIAL = "social", _("Social media")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")


# Channels where the agent speaks to the customer live; a reply is recorded, not sent.
LIVE_CHANNELS = {Channel.PHONE, Channel.WALK_IN}


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CUSTOMER = "pending_customer", _("Pending customer")
    PENDING_INTERNAL = "pending_internal", _("Pending internal")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (
    Status.NEW,
    Status.OPEN,
    Status.PENDING_CUSTOMER,
    Status.PENDING_INTERNAL,
)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    """One conversation with one customer. Current state only; history is in TicketEvent."""

    subject = models.CharField(_("subject"), max_length=255)
    # Each foreign key below marked db_index=False leads a composite index in Meta, which
    # serves its lookups; a second index on the column alone would only slow every insert.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    # The identity the customer used to reach us, so replies go back the same way.
    identity = models.ForeignKey(
        CustomerIdentity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    language = models.CharField(_("language"), max_length=8, default="id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    # Last change of any kind; the inbox sorts and pages on (updated_at, id).
    updated_at = models.DateTimeField(_("updated"))
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_agent_message_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        permissions = [
            ("view_all_tickets", "Can see the tickets of every team"),
            ("assign_any_agent", "Can assign tickets to agents outside their own teams"),
        ]
        # Every inbox view is a range scan of one of these (DESIGN: no OFFSET, no full scans).
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated_idx"),
            models.Index(fields=["team", "-updated_at", "-id"], name="ticket_team_updated_idx"),
            models.Index(
                fields=["assignee", "-updated_at", "-id"], name="ticket_assignee_updated_idx"
            ),
            models.Index(fields=["status", "-updated_at", "-id"], name="ticket_status_updated_idx"),
            models.Index(
                fields=["team", "status", "-updated_at", "-id"],
                name="ticket_team_status_idx",
            ),
            models.Index(
                fields=["assignee", "status", "-updated_at", "-id"],
                name="ticket_assignee_status_idx",
            ),
            models.Index(
                fields=["team", "-updated_at", "-id"],
                name="ticket_unassigned_idx",
                condition=models.Q(assignee__isnull=True),
            ),
            models.Index(fields=["customer", "-updated_at"], name="ticket_customer_idx"),
            # The default inbox shows active tickets only: a few thousand of a million.
            # PostgreSQL matches `status IN (…active…)` to this small index at any page depth;
            # SQLite uses a partial index only when the statuses are literals in the SQL,
            # not bound parameters (bench/README.md).
            models.Index(
                fields=["-updated_at", "-id"],
                name="ticket_active_updated_idx",
                condition=models.Q(status__in=ACTIVE_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return format_reference(self.pk)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


def format_reference(pk: int) -> str:
    return f"{REFERENCE_PREFIX}{pk:06d}"


class Direction(models.TextChoices):
    INBOUND = "in", _("From customer")
    OUTBOUND = "out", _("To customer")
    NOTE = "note", _("Internal note")


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Phone calls and walk-in visits: said to the customer in person, nothing to send.
    IN_PERSON = "in_person", _("Said in person")
    INTERNAL = "internal", _("Internal")


class Message(models.Model):
    # Served by message_ticket_idx (ticket, created_at).
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body_text = models.TextField()
    # Sanitised HTML (nh3) for display; None when the message was plain text.
    body_html = models.TextField(null=True, blank=True)
    delivery_status = models.CharField(max_length=12, choices=DeliveryStatus.choices)
    # Message-ID of an email, id of a chat or social message: the key for idempotent intake.
    external_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_idx"),
            models.Index(fields=["external_id"], name="message_external_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} on {self.ticket_id}"


class TicketEvent(models.Model):
    """Append-only: one row per thing that happened to a ticket. Never updated or deleted."""

    # Served by event_ticket_idx (ticket, created_at, id).
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=40)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="event_ticket_idx"),
            models.Index(fields=["kind", "created_at"], name="event_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"


class Attachment(models.Model):
    """A file that came with a message.

    The file lives under ATTACHMENTS_DIR with a random, unguessable name (`storage_key`); the
    sender's file name is only a cleaned-up label and never becomes a path.
    """

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    storage_key = models.CharField(max_length=64, unique=True)
    sha256 = models.CharField(max_length=64)
    # Inline images of an HTML mail are referred to as cid:<content_id>.
    content_id = models.CharField(max_length=255, blank=True)
    is_inline = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
