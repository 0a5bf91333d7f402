"""Whether someone can answer a chat now: the routing app knows presence, skills and room."""

from __future__ import annotations

import time

from sigap.accounts.models import Team
from sigap.routing.selectors import agents_available as routing_agents_available
from sigap.tickets.models import Channel

# How long "nobody can take a chat now" is believed. Asked after every message of a chat
# nobody holds, the answer took several queries in the socket server's one database thread,
# which every visitor's next message waits for; when the team is full it is the same answer
# for everyone. "Someone is free" is never reused: a visitor must learn at once that the last
# agent left.
NOBODY_SECONDS = 1.0
_nobody_since: dict[tuple[int, str], float] = {}


def agents_available(team: Team, *, language: str) -> bool:
    """True when an agent of `team` is online, speaks `language` and has room for a chat."""
    return routing_agents_available(team, channel=Channel.CHAT, language=language)


def agents_available_after_message(team: Team, *, language: str) -> bool:
    """`agents_available`, except that a "no" found for this team and language in the last
    NOBODY_SECONDS by this process is repeated: an agent who just became free is offered
    the chat by routing anyway, and the widget's email offer is a second early at worst."""
    key = (team.pk, language)
    now = time.monotonic()
    since = _nobody_since.get(key)
    if since is not None and now - since < NOBODY_SECONDS:
        return False
    answer = agents_available(team, language=language)
    if answer:
        _nobody_since.pop(key, None)
    else:
        _nobody_since[key] = now
    return answer
