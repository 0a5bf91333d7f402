"""Chat widgets that shops embed, the visitors who write through them, and their conversations."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import Team
from sigap.customers.models import Customer
from sigap.tickets.models import Ticket


def new_widget_key() -> str:
    return secrets.token_urlsafe(12).replace("_", "x").replace("-", "y").lower()


class ChatWidget(models.Model):
    """One embeddable chat box: which team answers it and which sites may show it."""

    key = models.SlugField(
        _("key"),
        max_length=64,
        unique=True,
        default=new_widget_key,
        help_text=_("The data-team value of the script tag a shop adds to its pages."),
    )
    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="chat_widgets")
    allowed_origins = models.TextField(
        _("allowed sites"),
        blank=True,
        help_text=_(
            "One address per line, as the browser shows it: https://shop.example or "
            "http://127.0.0.1:8080. Pages of any other site cannot open this chat."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chat widget")
        verbose_name_plural = _("chat widgets")

    def __str__(self) -> str:
        return self.name


class ChatVisitor(models.Model):
    """Someone writing through a widget, known only by a token kept in their browser.

    Only the token's SHA-256 is stored: a database leak does not let anyone read a chat.
    """

    widget = models.ForeignKey(ChatWidget, on_delete=models.CASCADE, related_name="visitors")
    token_hash = models.CharField(max_length=64, unique=True)
    # Shown to agents as the visitor's chat identity; it opens nothing.
    public_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="id")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("chat visitor")
        verbose_name_plural = _("chat visitors")

    def __str__(self) -> str:
        return self.name or self.public_id


class ChatConversation(models.Model):
    """A visitor's ticket. It stays theirs after it moves to email, but no longer takes chat."""

    visitor = models.ForeignKey(ChatVisitor, on_delete=models.CASCADE, related_name="conversations")
    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="chat_conversation"
    )
    started_at = models.DateTimeField()
    moved_to_email_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["visitor", "-started_at"], name="chat_conversation_visitor_idx")
        ]

    def __str__(self) -> str:
        return f"{self.visitor} on {self.ticket_id}"
