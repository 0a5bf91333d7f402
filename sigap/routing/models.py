"""Who can take a conversation now: each agent's presence, capacity and skills, each team's
strategy, and the team queue of conversations waiting for a free agent."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import Team
from sigap.tickets.models import Category, Channel, Ticket


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class Strategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


# Conversations held live count against the chat capacity; everything else against the other.
CHAT_CHANNELS = frozenset({Channel.CHAT})


def capacity_kind(channel: str) -> str:
    return "chat" if channel in CHAT_CHANNELS else "other"


def validate_languages(value: str) -> None:
    known = {code for code, _name in settings.LANGUAGES}
    unknown = [code for code in split_languages(value) if code not in known]
    if unknown:
        raise ValidationError(
            _("Unknown language %(codes)s; use %(known)s."),
            params={"codes": ", ".join(unknown), "known": ", ".join(sorted(known))},
        )


def split_languages(value: str) -> list[str]:
    return [code.strip().lower() for code in value.split(",") if code.strip()]


class AgentPresence(models.Model):
    """One agent's routing row: presence, capacity and skills. Routing locks this row while it
    counts the agent's open conversations, so two tickets routed at once cannot both take the
    agent's last free place."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presence"
    )
    status = models.CharField(
        _("presence"), max_length=10, choices=Presence.choices, default=Presence.OFFLINE
    )
    # Last sign of life: a change of presence, an open inbox socket, a page heartbeat.
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # An agent who signed off stays off when a desk page opens; one who went offline only
    # because the desk stopped hearing from them is back online with the next connection.
    is_offline_by_choice = models.BooleanField(default=False)
    chat_capacity = models.PositiveSmallIntegerField(
        _("open chats at most"), default=3, help_text=_("Live chat conversations at once.")
    )
    other_capacity = models.PositiveSmallIntegerField(
        _("other open conversations at most"),
        default=10,
        help_text=_("Email, social, phone and walk-in conversations at once."),
    )
    languages = models.CharField(
        _("languages"),
        max_length=64,
        blank=True,
        default="id,en",
        validators=[validate_languages],
        help_text=_("Comma-separated language codes, e.g. id,en. Empty: any language."),
    )
    categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="+",
        verbose_name=_("categories"),
        help_text=_("Empty: any category."),
    )
    # Bumped on each routed assignment; round-robin serves the lowest first.
    routed_turn = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("agent presence and skills")
        verbose_name_plural = _("agent presence and skills")
        indexes = [
            # The executor finds stale presences by a range scan over this small index.
            models.Index(
                fields=["last_seen"],
                name="presence_live_seen_idx",
                condition=~models.Q(status="offline"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.status})"

    def capacity_for(self, channel: str) -> int:
        return self.chat_capacity if capacity_kind(channel) == "chat" else self.other_capacity


class TeamRouting(models.Model):
    """A team's routing: new conversations of a team with this row go straight to a free agent.

    Every team gets a row, switched on, when it is created (`sigap.routing.hooks`): a new desk
    routes from its first conversation. `is_enabled` is the admin's switch to turn it off for
    a team that assigns by hand. A team without a row does not route.
    """

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="routing")
    is_enabled = models.BooleanField(_("route new conversations"), default=True)
    strategy = models.CharField(
        _("strategy"), max_length=16, choices=Strategy.choices, default=Strategy.ROUND_ROBIN
    )

    class Meta:
        verbose_name = _("team routing")
        verbose_name_plural = _("team routing")

    def __str__(self) -> str:
        return f"{self.team} ({self.strategy})"


class QueueEntry(models.Model):
    """A conversation waiting in its team's queue for a free agent; deleted when handed out."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="queue_entry")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    queued_at = models.DateTimeField()
    # Copied from the ticket so the executor matches skills without joining it.
    channel = models.CharField(max_length=16, choices=Channel.choices)
    language = models.CharField(max_length=8)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("waiting conversation")
        verbose_name_plural = _("waiting conversations")
        indexes = [
            models.Index(fields=["team", "queued_at", "id"], name="queue_team_oldest_idx"),
            models.Index(fields=["queued_at", "id"], name="queue_oldest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} waiting in {self.team_id}"
