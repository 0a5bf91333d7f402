"""Whether someone can answer a chat now: the routing app knows presence, skills and room."""

from __future__ import annotations

from sigap.accounts.models import Team
from sigap.routing.selectors import agents_available as routing_agents_available
from sigap.tickets.models import Channel


def agents_available(team: Team, *, language: str) -> bool:
    """True when an agent of `team` is online, speaks `language` and has room for a chat."""
    return routing_agents_available(team, channel=Channel.CHAT, language=language)
