"""Making a team route and its agents available, through the same services the desk uses."""

from __future__ import annotations

from sigap.accounts.models import Team, User
from sigap.routing.models import AgentPresence, Presence, Strategy, TeamRouting
from sigap.routing.services import presence_set
from sigap.tickets.models import Category


def routes(team: Team, strategy: Strategy = Strategy.ROUND_ROBIN) -> TeamRouting:
    routing, _created = TeamRouting.objects.update_or_create(
        team=team, defaults={"strategy": strategy, "is_enabled": True}
    )
    return routing


def skills(
    user: User,
    *,
    chats: int = 3,
    others: int = 10,
    languages: str = "id,en",
    categories: tuple[Category, ...] = (),
) -> AgentPresence:
    presence, _created = AgentPresence.objects.update_or_create(
        user=user,
        defaults={"chat_capacity": chats, "other_capacity": others, "languages": languages},
    )
    presence.categories.set(categories)
    return presence


def online(user: User, **kwargs: object) -> AgentPresence:
    skills(user, **kwargs)  # type: ignore[arg-type]
    return presence_set(user=user, status=Presence.ONLINE, by=user)
