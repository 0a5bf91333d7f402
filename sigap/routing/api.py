"""Routing endpoints: an agent's presence, and the team queue."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import P, Query, QueryEx, Router, Schema

from sigap.accounts.models import User
from sigap.api.auth import caller
from sigap.api.errors import problems
from sigap.api.schemas.common import Id, Input, PageOf, PathId, Ref, Text
from sigap.core.cursor import paginate_asc
from sigap.core.errors import NotFound
from sigap.routing.models import AgentPresence, Presence, split_languages
from sigap.routing.selectors import QUEUE_PAGE_SIZE, queue_entries
from sigap.routing.services import presence_set

router = Router(tags=["routing"])

PresenceStatus = Literal["online", "away", "offline"]


class PresenceOut(Schema):
    agent: Ref
    status: PresenceStatus
    last_seen: datetime | None
    chat_capacity: int
    other_capacity: int
    languages: list[str]
    category_ids: list[int]


class PresenceIn(Input):
    status: PresenceStatus


class WaitingConversationOut(Schema):
    ticket: Ref
    team: Ref
    channel: str
    language: str
    category_id: int | None
    queued_at: datetime


class QueuePage(PageOf):
    items: list[WaitingConversationOut]


def _presence_out(user: User, presence: AgentPresence | None) -> PresenceOut:
    if presence is None:
        presence = AgentPresence(user=user)
        category_ids: list[int] = []
    else:
        category_ids = sorted(presence.categories.values_list("pk", flat=True))
    return PresenceOut(
        agent=Ref(id=user.pk, name=user.display_name),
        status=presence.status,  # type: ignore[arg-type]
        last_seen=presence.last_seen,
        chat_capacity=presence.chat_capacity,
        other_capacity=presence.other_capacity,
        languages=split_languages(presence.languages),
        category_ids=category_ids,
    )


@router.get(
    "/presence", response={200: PresenceOut, **problems()}, summary="My presence and capacity"
)
def my_presence(request: HttpRequest) -> PresenceOut:
    user = caller(request)
    return _presence_out(user, AgentPresence.objects.filter(user=user).first())


@router.put(
    "/agents/{user_id}/presence",
    response={200: PresenceOut, **problems(400, 403, 404)},
    summary="Set an agent's presence: online, away or offline",
)
def presence_put(request: HttpRequest, user_id: PathId, payload: PresenceIn) -> PresenceOut:
    """Agents set their own; a supervisor may set it for an agent of their team. Going online
    hands the agent the oldest waiting conversations that fit them."""
    user = caller(request)
    agent = User.objects.filter(pk=user_id, is_active=True).first()
    if agent is None:
        raise NotFound(_("No agent %(pk)s.") % {"pk": user_id})
    presence = presence_set(user=agent, status=Presence(payload.status), by=user)
    return _presence_out(agent, presence)


@router.get(
    "/queue",
    response={200: QueuePage, **problems(400)},
    summary="Conversations waiting for a free agent, the longest waiting first",
)
def queue_list(
    request: HttpRequest,
    team: Query[Id | None] = None,
    cursor: Text | None = None,
    size: QueryEx[int, P(ge=1, le=200)] = QUEUE_PAGE_SIZE,
) -> QueuePage:
    """The waiting conversations of the caller's teams (every team for a manager). Paged by
    key-set on (queued_at, id): follow next_cursor until it is null."""
    entries = queue_entries(caller(request), team_id=team)
    page = paginate_asc(entries, field="queued_at", cursor=cursor, size=size)
    return QueuePage(
        items=[
            WaitingConversationOut(
                ticket=Ref(id=entry.ticket_id, name=entry.ticket.reference),
                team=Ref(id=entry.team_id, name=entry.team.name),
                channel=entry.channel,
                language=entry.language,
                category_id=entry.category_id,
                queued_at=entry.queued_at,
            )
            for entry in page.items
        ],
        next_cursor=page.next_cursor,
    )
