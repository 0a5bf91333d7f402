"""Whether someone can answer a chat now, asked of the routing app when it knows presence."""

from __future__ import annotations

import importlib
from typing import Any

from sigap.accounts.models import Team, User
from sigap.tickets.models import Channel


def _routing_selector() -> Any:
    try:
        module = importlib.import_module("sigap.routing.selectors")
    except ImportError:
        return None
    return getattr(module, "agents_available", None)


def agents_available(team: Team, *, language: str) -> bool:
    """True when an agent of `team` can take a chat in `language` now.

    Presence (online, away, capacity) is the routing app's; without it, a team with at least
    one active member who may answer tickets counts as staffed.
    """
    selector = _routing_selector()
    if selector is not None:
        return bool(selector(team, channel=Channel.CHAT, language=language))
    members = User.objects.filter(teams=team, is_active=True)
    return any(member.has_perm("tickets.change_ticket") for member in members[:50])
