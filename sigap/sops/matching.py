"""Choosing the one SOP for a new ticket, deterministically, and saying why.

Categories and keywords say what a ticket is about: when an SOP lists either, one of them must
match. Channels and priorities narrow it: when listed, the ticket's must be among them. An SOP
that lists no topic is a fallback for its channels. Among matches the highest `precedence`
wins, then the one that matched on more, then the first key in alphabetical order.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from sigap.sops.document import Triggers


@dataclass(frozen=True)
class TicketTopic:
    channel: str
    priority: str
    category: str | None
    text: str


@dataclass(frozen=True)
class Candidate:
    key: str
    triggers: Triggers

    @functools.cached_property
    def keywords(self) -> list[tuple[str, str]]:
        """Each keyword as written, and as it is looked for among the ticket's words."""
        return [(k, f" {' '.join(_words(k).split())} ") for k in self.triggers.keywords.all()]


Reason = tuple[str, str]  # (kind, value): ("keyword", "rusak"), ("channel", "chat"), …


@dataclass(frozen=True)
class Match:
    key: str
    reasons: list[Reason] = field(default_factory=list)
    specificity: int = 0
    precedence: int = 0

    def as_data(self) -> dict[str, object]:
        """Stored with the run; kept as codes so each reader sees them in their own language."""
        return {
            "key": self.key,
            "reasons": [{"kind": kind, "value": value} for kind, value in self.reasons],
            "precedence": self.precedence,
        }


def _fold(text: str) -> str:
    normalised = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in normalised if not unicodedata.combining(c))


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", _fold(text))) + " "


def match_one(candidate: Candidate, ticket: TicketTopic, words: str) -> Match | None:
    triggers = candidate.triggers
    reasons: list[Reason] = []
    if triggers.channels:
        if ticket.channel not in triggers.channels:
            return None
        reasons.append(("channel", ticket.channel))
    if triggers.priorities:
        if ticket.priority not in triggers.priorities:
            return None
        reasons.append(("priority", ticket.priority))
    keywords = candidate.keywords
    if triggers.categories or keywords:
        topic: list[Reason] = []
        if ticket.category is not None and ticket.category in triggers.categories:
            topic.append(("category", ticket.category))
        hits = [written for written, looked_for in keywords if looked_for in words]
        topic.extend(("keyword", k) for k in hits)
        if not topic:
            return None
        reasons.extend(topic)
    else:
        reasons.append(("fallback", ""))
    specificity = len(reasons) - (1 if reasons[-1][0] == "fallback" else 0)
    return Match(
        key=candidate.key,
        reasons=reasons,
        specificity=specificity,
        precedence=triggers.precedence,
    )


def choose(candidates: Iterable[Candidate], ticket: TicketTopic) -> Match | None:
    words = _words(ticket.text)
    matches = [m for c in candidates if (m := match_one(c, ticket, words)) is not None]
    if not matches:
        return None
    return min(matches, key=lambda m: (-m.precedence, -m.specificity, m.key))
