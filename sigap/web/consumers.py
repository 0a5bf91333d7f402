"""Live inbox: tells a signed-in agent's browser that a ticket it may see has changed."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from sigap.core.realtime import DirectDispatch
from sigap.routing.live import PresenceSocketMixin
from sigap.tickets.access import subscription_groups
from sigap.tickets.models import format_reference


class InboxConsumer(DirectDispatch, PresenceSocketMixin, AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    groups: list[str]

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = await database_sync_to_async(subscription_groups)(user)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.presence_opened(user)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.presence_closed()
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def ticket_created(self, event: dict[str, Any]) -> None:
        await self.send_json({"event": "created", "ticket": event["ticket"]})

    async def ticket_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"event": "changed", "ticket": event["ticket"]})

    async def sla_alert(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "event": "sla",
                "ticket": event["ticket"],
                "reference": format_reference(event["ticket"]),
                "stage": event.get("stage", ""),
                "target": event.get("target", ""),
            }
        )
