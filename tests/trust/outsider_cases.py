"""One way to state and run an outsider case: who is refused what, who is let through.

A case is run twice on the same desk: first as the person who must be refused (status, no
marker of team A in the answer, not one watched row changed), then as the rightful person,
who must get through (so the case would notice if the refusal were really a broken endpoint).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.test import Client

from tests.trust.outsider_desk import MARKERS, Desk, state

Path = Callable[[Desk], str]
Body = Callable[[Desk], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    route: str  # as the coverage test names it: "GET /api/tickets/{ticket_id}" or a URL pattern
    label: str
    who: str  # the persona refused
    path: Path
    refused: tuple[int, ...]
    rightful: str
    allowed: int
    method: str = "get"
    body: Body | None = None
    # A text the rightful answer holds: proves the refused answer could have shown it.
    shows: str | Callable[[Desk], str] = ""
    # What the refused answer must not hold; customers and people are desk-wide, tickets not.
    hidden: tuple[str, ...] | Callable[[Desk], tuple[str, ...]] = MARKERS
    # Whether the rightful call changes something (a POST that only checks a text does not).
    changes: bool = True

    @property
    def id(self) -> str:
        return f"{self.route} [{self.who}: {self.label}]"


def _send(client: Client, case: Case, desk: Desk, *, api: bool) -> HttpResponse:
    call = getattr(client, case.method)
    data = case.body(desk) if case.body else None
    if api and data is not None:
        response: HttpResponse = call(
            case.path(desk), data=json.dumps(data), content_type="application/json"
        )
    elif data is not None:
        response = call(case.path(desk), data=data)
    else:
        response = call(case.path(desk))
    return response


def _text(response: HttpResponse) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")  # type: ignore[attr-defined]
    return response.content.decode(errors="replace")


def check(desk: Desk, case: Case, client_for: Callable[[str], Client], *, api: bool) -> None:
    refused_client, rightful_client = client_for(case.who), client_for(case.rightful)
    refused_user = desk.person(case.who)
    ignore = refused_user.pk if refused_user is not None else None
    before = state(desk.team_a, ignore_presence_of=ignore)

    refused = _send(refused_client, case, desk, api=api)

    body = _text(refused)
    assert refused.status_code in case.refused, (refused.status_code, body[:400])
    hidden = case.hidden(desk) if callable(case.hidden) else case.hidden
    assert [text for text in hidden if text in body] == []
    assert state(desk.team_a, ignore_presence_of=ignore) == before

    allowed = _send(rightful_client, case, desk, api=api)

    shown = _text(allowed)
    assert allowed.status_code == case.allowed, (allowed.status_code, shown[:400])
    shows = case.shows(desk) if callable(case.shows) else case.shows
    if shows:
        assert shows in shown
    if case.method != "get" and case.changes:
        assert state(desk.team_a, ignore_presence_of=ignore) != before, (
            "the rightful call did nothing"
        )
