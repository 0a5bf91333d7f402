"""Staff pages: follow-up tasks with their due time, recovery tasks, and searchable comments
limited to the tickets the person may see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from sigap.accounts.models import Team, User
from sigap.core import clock
from sigap.feedback.models import FollowUp, RecoveryTask, Survey
from sigap.feedback.surveys import survey_answer
from sigap.tickets.models import Status, Ticket
from tests.conftest import login
from tests.feedback.conftest import RESOLVED_AT, resolved_ticket, surveys_sent
from tests.web.pages import next_link, text

LATER = RESOLVED_AT + timedelta(days=1)


def _answered(ticket: Ticket, score: int, comment: str, at: object = LATER) -> Survey:
    [survey] = surveys_sent(ticket)
    with clock.frozen(at):  # type: ignore[arg-type]
        return survey_answer(survey_id=survey.pk, score=score, comment=comment)


def test_the_agent_sees_the_follow_up_and_records_it(resolved: Ticket, agent: User) -> None:
    client = login(Client(), agent)
    page = client.get("/follow-ups/")
    assert resolved.reference in text(page)
    follow_up = FollowUp.objects.get(ticket=resolved)
    with clock.frozen(RESOLVED_AT + timedelta(days=2)):
        done = client.post(
            f"/follow-ups/{follow_up.pk}/record/", {"result": "no_answer", "note": "Tidak diangkat"}
        )
    assert done.status_code == 302
    assert FollowUp.objects.get(pk=follow_up.pk).result == "no_answer"
    assert resolved.reference not in text(client.get("/follow-ups/"))
    timeline = text(client.get(f"/tickets/{resolved.pk}/"))
    assert "recorded the follow-up" in timeline
    assert "No answer: Tidak diangkat" in timeline


def test_an_unknown_result_is_refused_with_a_clear_message(resolved: Ticket, agent: User) -> None:
    client = login(Client(), agent)
    follow_up = FollowUp.objects.get(ticket=resolved)
    refused = client.post(f"/follow-ups/{follow_up.pk}/record/", {"result": "maybe"}, follow=True)
    assert "Choose satisfied, problem continues or no answer." in text(refused)
    assert FollowUp.objects.get(pk=follow_up.pk).result == ""


def test_an_outsider_cannot_record_another_teams_follow_up(
    resolved: Ticket, outsider: User
) -> None:
    client = login(Client(), outsider)
    follow_up = FollowUp.objects.get(ticket=resolved)
    refused = client.post(f"/follow-ups/{follow_up.pk}/record/", {"result": "satisfied"})
    assert refused.status_code == 302
    assert "No such follow-up" in text(client.get("/follow-ups/"))
    assert FollowUp.objects.get(pk=follow_up.pk).result == ""
    assert resolved.reference not in text(client.get("/follow-ups/"))


def test_comments_are_searchable_and_outsiders_see_none(
    resolved: Ticket, agent: User, outsider: User, supervisor: User
) -> None:
    _answered(resolved, 2, "Kurirnya terlambat tiga hari")
    mine = login(Client(), agent)
    found = text(mine.get("/feedback/comments/", {"q": "TERLAMBAT"}))
    assert "Kurirnya terlambat tiga hari" in found
    assert "Kurirnya" not in text(mine.get("/feedback/comments/", {"q": "ramah"}))
    assert "Kurirnya" in text(mine.get("/feedback/comments/", {"low": "1", "kind": "csat"}))
    theirs = login(Client(), outsider)
    assert "Kurirnya" not in text(theirs.get("/feedback/comments/"))
    assert "No comments match." in text(theirs.get("/feedback/comments/"))


def test_comments_page_by_key(team_a: Team, agent: User, monkeypatch: pytest.MonkeyPatch) -> None:
    tickets = [resolved_ticket(team_a, agent) for _ in range(3)]
    for number, ticket in enumerate(tickets):
        _answered(ticket, 4, f"Komentar nomor {number}", at=LATER + timedelta(minutes=number))
    client = login(Client(), agent)
    monkeypatch.setattr("sigap.feedback.selectors.PAGE_SIZE", 2)
    first = client.get("/feedback/comments/", {"q": "komentar"})
    assert "Komentar nomor 2" in text(first)
    assert "Komentar nomor 1" in text(first)
    assert "Komentar nomor 0" not in text(first)
    link = next_link(first)
    assert link is not None
    second = client.get(link)
    assert "Komentar nomor 0" in text(second)
    assert "Komentar nomor 1" not in text(second)
    assert next_link(second) is None


@pytest.mark.parametrize("cursor", ["garbage", "MjAyNi0xMS0wMnwx", "%00"])
def test_a_bad_page_link_is_a_clear_400(agent: User, cursor: str) -> None:
    client = login(Client(), agent)
    refused = client.get("/feedback/comments/", {"cursor": cursor})
    assert refused.status_code == 400
    assert "This page link is not valid." in text(refused)


def test_staff_pages_need_sign_in(resolved: Ticket) -> None:
    for address in ("/follow-ups/", "/feedback/comments/"):
        assert Client().get(address).status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED


def test_an_outsider_cannot_close_another_teams_recovery_task(
    resolved: Ticket, supervisor: User, outsider: User
) -> None:
    _answered(resolved, 1, "Kecewa")
    task = RecoveryTask.objects.get()
    theirs = login(Client(), outsider)
    refused = theirs.post(f"/recovery/{task.pk}/done/", {"note": "Sudah ditelepon"}, follow=True)
    assert "No such recovery task, or you may not see it." in text(refused)
    assert RecoveryTask.objects.get().done_at is None
    mine = login(Client(), supervisor)
    assert "Kecewa" in text(mine.get("/follow-ups/"))
    short = mine.post(f"/recovery/{task.pk}/done/", {"note": "ok"}, follow=True)
    assert "Write what was done for the customer." in text(short)
    with clock.frozen(LATER + timedelta(hours=1)):
        mine.post(f"/recovery/{task.pk}/done/", {"note": "Sudah ditelepon, voucher"})
    assert RecoveryTask.objects.get().note == "Sudah ditelepon, voucher"
    assert "Kecewa" not in text(mine.get("/follow-ups/"))
