"""Live inbox: tells a signed-in agent's browser that a ticket it may see has changed."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from sigap.accounts.models import User
from sigap.core.realtime import DirectDispatch
from sigap.routing.live import PresenceSocketMixin
from sigap.tickets.access import access_group, subscription_groups
from sigap.tickets.models import format_reference


def _groups_now(user_id: int) -> list[str] | None:
    """The groups the person may join now, read afresh; None once the account is disabled."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return None if user is None else subscription_groups(user)


class InboxConsumer(DirectDispatch, PresenceSocketMixin, AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    groups: list[str]
    groups_joined: list[str]
    user_id: int

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user_id = user.pk
        await self.channel_layer.group_add(access_group(user.pk), self.channel_name)
        self.groups_joined = await database_sync_to_async(subscription_groups)(user)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.presence_opened(user)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.presence_closed()
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        if hasattr(self, "user_id"):
            await self.channel_layer.group_discard(access_group(self.user_id), self.channel_name)

    async def access_changed(self, event: dict[str, Any]) -> None:
        """Their teams, role or account changed: hear exactly what they may see now."""
        groups = await database_sync_to_async(_groups_now)(self.user_id)
        for group in set(self.groups_joined) - set(groups or []):
            await self.channel_layer.group_discard(group, self.channel_name)
        for group in set(groups or []) - set(self.groups_joined):
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups or []
        if groups is None:  # left before closing: nothing more reaches it meanwhile
            await self.close(code=4401)

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
