"""Where customer mail comes in: the mailboxes we read, and every message that arrived."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import Team
from sigap.tickets.models import Message, Ticket


class Mailbox(models.Model):
    """An IMAP mailbox whose mail becomes tickets of one team.

    The password is never stored here: `password_env` names the environment variable that holds
    it, so a database dump or backup leaks no mail account.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="mailboxes", verbose_name=_("team")
    )
    imap_host = models.CharField(
        _("IMAP host"), max_length=255, blank=True, help_text=_("Empty: mail arrives by pipe.")
    )
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_ssl = models.BooleanField(_("use TLS"), default=True)
    imap_username = models.CharField(_("IMAP user name"), max_length=255, blank=True)
    password_env = models.CharField(
        _("password variable"),
        max_length=100,
        blank=True,
        help_text=_("Name of the environment variable that holds the password."),
    )
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    processed_folder = models.CharField(
        _("processed folder"), max_length=255, default="Sigap-Processed"
    )
    is_trusted = models.BooleanField(
        _("trusted"),
        default=False,
        help_text=_(
            "Only a trusted mailbox (fed by our own systems) may set ticket fields by header."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The poller claims a due mailbox by moving this forward (compare-and-swap).
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_poll_error = models.TextField(_("last poll error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        indexes = [models.Index(fields=["is_active", "next_poll_at"], name="mailbox_due_idx")]

    def __str__(self) -> str:
        return self.name


class InboundStatus(models.TextChoices):
    TICKET_CREATED = "ticket_created", _("Ticket created")
    APPENDED = "appended", _("Added to a ticket")
    AUTO_REPLY = "auto_reply", _("Automatic reply (not answered)")
    BOUNCE = "bounce", _("Bounce (not answered)")
    QUARANTINED = "quarantined", _("Quarantined")
    DUPLICATE = "duplicate", _("Duplicate")


class InboundEmail(models.Model):
    """One received message, kept with its raw source whatever became of it."""

    # Null: the message came through `sigap ingest-email` without a mailbox. No index of its
    # own: inbound_mailbox_idx starts with it, and every mail received updates each index.
    mailbox = models.ForeignKey(
        Mailbox,
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="inbound_emails",
        verbose_name=_("mailbox"),
    )
    # The Message-ID header, or a digest of the raw bytes when the mail has none.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    raw = models.BinaryField(_("raw source"))
    size = models.PositiveBigIntegerField(_("size"))
    # The raw source is cut at SIGAP_MAIL_MAX_BYTES; a cut message is never processed again.
    is_truncated = models.BooleanField(default=False)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received"))
    status = models.CharField(_("status"), max_length=20, choices=InboundStatus.choices)
    # Why a message was quarantined (empty otherwise).
    error = models.TextField(_("error"), blank=True)
    # Why it was handled as it was: the automatic-mail signal, refused attachments.
    detail = models.TextField(_("detail"), blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The ticket message it became (`message_id` is the mail's own Message-ID header).
    ticket_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reprocessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reprocessed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        constraints = [
            # Idempotent intake: a message is taken once per mailbox. NULL mailboxes never
            # compare equal in SQL, so mail piped in without a mailbox has its own constraint.
            models.UniqueConstraint(
                fields=["mailbox", "message_id"],
                name="inbound_unique_per_mailbox",
                condition=models.Q(mailbox__isnull=False) & ~models.Q(message_id=""),
            ),
            models.UniqueConstraint(
                fields=["message_id"],
                name="inbound_unique_without_mailbox",
                condition=models.Q(mailbox__isnull=True) & ~models.Q(message_id=""),
            ),
        ]
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="inbound_received_idx"),
            models.Index(fields=["status", "-received_at"], name="inbound_status_idx"),
            models.Index(fields=["mailbox", "-received_at"], name="inbound_mailbox_idx"),
            # Both columns: the check for a message taken already asks for both, and SQLite,
            # which keeps no statistics unless told to, otherwise walks the mailbox index
            # through every mail the mailbox ever received.
            models.Index(fields=["message_id", "mailbox"], name="inbound_message_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id or self.pk} ({self.get_status_display()})"
