from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sigap.accounts.models import Team, User
from sigap.core.errors import InvalidInput
from sigap.tickets.models import Channel, Priority, Status, Ticket
from sigap.tickets.selectors import inbox_page, inbox_query_parse
from sigap.tickets.services import ticket_change_status
from tests.factories import make_customer, make_ticket


def _pages(user: User, params: dict[str, str]) -> list[list[int]]:
    pages: list[list[int]] = []
    cursor = ""
    while True:
        page = inbox_page(user, inbox_query_parse({**params, "cursor": cursor}))
        pages.append([t.pk for t in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def test_cursor_walks_every_ticket_once_even_with_equal_timestamps(
    agent: User, team_a: Team
) -> None:
    tickets = [make_ticket(team=team_a) for _ in range(7)]
    same_time = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[2:6]]).update(updated_at=same_time)

    pages = _pages(agent, {"size": "3"})

    walked = [pk for page in pages for pk in page]
    assert sorted(walked) == sorted(t.pk for t in tickets)
    assert len(walked) == len(set(walked))
    assert [len(p) for p in pages] == [3, 3, 1]


def test_default_view_hides_resolved_and_closed(agent: User, team_a: Team) -> None:
    active = make_ticket(team=team_a)
    done = make_ticket(team=team_a)
    ticket_change_status(ticket=done, by=agent, status=Status.RESOLVED)

    assert _pages(agent, {}) == [[active.pk]]
    assert sorted(_pages(agent, {"status": "any"})[0]) == sorted([active.pk, done.pk])
    assert _pages(agent, {"status": "resolved"}) == [[done.pk]]


def test_views_and_filters(agent: User, teammate: User, team_a: Team) -> None:
    mine = make_ticket(team=team_a, assignee=agent, channel=Channel.CHAT)
    theirs = make_ticket(team=team_a, assignee=teammate, priority=Priority.URGENT)
    nobody = make_ticket(team=team_a)

    assert _pages(agent, {"view": "mine"}) == [[mine.pk]]
    assert _pages(agent, {"view": "unassigned"}) == [[nobody.pk]]
    assert _pages(agent, {"channel": "chat"}) == [[mine.pk]]
    assert _pages(agent, {"priority": "urgent"}) == [[theirs.pk]]
    assert _pages(agent, {"assignee": str(teammate.pk)}) == [[theirs.pk]]
    assert sorted(_pages(agent, {"view": "team"})[0]) == sorted([mine.pk, theirs.pk, nobody.pk])


def test_search_by_reference_email_subject_and_name(agent: User, team_a: Team) -> None:
    wulan = make_customer("Wulan Sari", email="wulan@contoh.co.id")
    first = make_ticket(team=team_a, customer=wulan, subject="Paket hilang")
    second = make_ticket(team=team_a, subject="Refund belum masuk")

    assert _pages(agent, {"q": first.reference}) == [[first.pk]]
    assert _pages(agent, {"q": str(second.pk)}) == [[second.pk]]
    assert _pages(agent, {"q": "WULAN@contoh.co.id"}) == [[first.pk]]
    assert _pages(agent, {"q": "refund"}) == [[second.pk]]
    assert _pages(agent, {"q": "wulan"}) == [[first.pk]]


def test_search_never_reaches_another_teams_ticket(agent: User, team_b: Team) -> None:
    hidden = make_ticket(team=team_b, subject="Rahasia")

    assert _pages(agent, {"q": hidden.reference}) == [[]]
    assert _pages(agent, {"q": "Rahasia"}) == [[]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"channel": "fax"}, "channel"),
        ({"view": "everything"}, "view"),
        ({"team": "1 OR 1=1"}, "team"),
        ({"size": "1000"}, "size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "MjAyNi0xMS0wMnwxMg"}, "cursor"),
    ],
)
def test_bad_input_is_refused_with_the_field(
    agent: User, params: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        inbox_page(agent, inbox_query_parse(params))
    assert error.value.field == field


def test_an_old_active_ticket_is_not_hidden_behind_newer_closed_ones(
    agent: User, team_a: Team
) -> None:
    waiting = make_ticket(team=team_a)
    Ticket.objects.filter(pk=waiting.pk).update(updated_at=datetime(2026, 1, 1, tzinfo=UTC))
    closed = [make_ticket(team=team_a) for _ in range(30)]
    Ticket.objects.filter(pk__in=[t.pk for t in closed]).update(status=Status.CLOSED)

    assert _pages(agent, {"size": "5"}) == [[waiting.pk]]
    assert len(_pages(agent, {"status": "any", "size": "25"})[0]) == 25
