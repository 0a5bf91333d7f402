"""What the inbox socket does for routing: an open desk page is a sign of life, and
supervisors hear at once when a conversation waits in the team queue."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from sigap.accounts.models import User
from sigap.routing.services import live_group, presence_seen
from sigap.tickets.models import format_reference


class PresenceSocketMixin:
    """Mixed into the inbox consumer, which calls `presence_opened` once connected."""

    channel_layer: Any
    channel_name: str
    presence_user: User | None = None

    async def presence_opened(self, user: User) -> None:
        self.presence_user = user
        await self.channel_layer.group_add(live_group(user.pk), self.channel_name)
        await database_sync_to_async(presence_seen)(user=user)

    async def presence_closed(self) -> None:
        if self.presence_user is not None:
            await self.channel_layer.group_discard(
                live_group(self.presence_user.pk), self.channel_name
            )

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The page pings while it is open; nothing else is read from the browser.
        ping = isinstance(content, dict) and content.get("type") == "presence.ping"
        if ping and self.presence_user is not None:
            await database_sync_to_async(presence_seen)(user=self.presence_user)

    async def routing_queued(self, event: dict[str, Any]) -> None:
        await self.send_json(  # type: ignore[attr-defined]
            {
                "event": "queued",
                "ticket": event["ticket"],
                "reference": format_reference(event["ticket"]),
            }
        )
