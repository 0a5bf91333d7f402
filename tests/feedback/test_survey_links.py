"""Survey links: signed, expiring, one answer per ticket, and only a click records."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from django.test import Client

from sigap.core import clock
from sigap.feedback.links import survey_token
from sigap.feedback.models import Survey
from sigap.tickets.models import Direction, Ticket
from tests.feedback.conftest import RESOLVED_AT, surveys_sent
from tests.web.pages import text

LATER = RESOLVED_AT + timedelta(days=1)


def _link(ticket: Ticket) -> str:
    """The path of the survey link in the mail the customer got."""
    body = ticket.messages.filter(direction=Direction.OUTBOUND).get().body_text
    found = re.search(r"http://[^/]+(/survey/\S+/)", body)
    assert found is not None, body
    return found.group(1)


@pytest.fixture
def link(resolved: Ticket) -> str:
    [survey] = surveys_sent(resolved)
    assert survey.kind == "csat"
    assert survey.expires_at == survey.sent_at + timedelta(days=14)
    return _link(resolved)


def test_the_survey_goes_out_an_hour_after_resolution_once(resolved: Ticket) -> None:
    with clock.frozen(RESOLVED_AT + timedelta(minutes=59)):
        from sigap.core.jobs import run_due_jobs

        run_due_jobs()
    assert not Survey.objects.exists()
    assert len(surveys_sent(resolved)) == 1
    assert len(surveys_sent(resolved)) == 1
    assert resolved.messages.filter(direction=Direction.OUTBOUND).count() == 1
    assert resolved.events.filter(kind="survey_sent").count() == 1


def test_opening_the_link_records_nothing(link: str) -> None:
    client = Client()
    with clock.frozen(LATER):
        page = client.get(link)
        client.head(link)
    assert page.status_code == 200
    assert "How did we do?" in text(page)
    survey = Survey.objects.get()
    assert (survey.score, survey.answered_at) == (None, None)


def test_a_click_records_the_answer(link: str, resolved: Ticket) -> None:
    client = Client(enforce_csrf_checks=True)
    with clock.frozen(LATER):
        page = client.get(link)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        assert token is not None
        answered = client.post(
            link, {"csrfmiddlewaretoken": token.group(1), "score": "4", "comment": "Cepat"}
        )
        shown = client.get(answered["Location"])
    assert answered.status_code == 302
    survey = Survey.objects.get()
    assert (survey.score, survey.comment, survey.answered_at) == (4, "Cepat", LATER)
    assert "Your answer is saved" in text(shown)


def test_a_post_without_the_csrf_token_is_refused(link: str) -> None:
    client = Client(enforce_csrf_checks=True)
    with clock.frozen(LATER):
        refused = client.post(link, {"score": "1"})
    assert refused.status_code == 403
    assert Survey.objects.get().answered_at is None


def test_answering_twice_updates_the_one_answer(link: str, resolved: Ticket) -> None:
    client = Client()
    with clock.frozen(LATER):
        client.post(link, {"score": "3", "comment": "Lumayan"})
    with clock.frozen(LATER + timedelta(hours=1)):
        client.post(link, {"score": "5", "comment": "Ternyata beres"})
    survey = Survey.objects.get()
    assert (survey.score, survey.comment) == (5, "Ternyata beres")
    assert survey.answered_at == LATER + timedelta(hours=1)
    assert Survey.objects.count() == 1
    assert resolved.events.filter(kind="survey_answered").count() == 2


def test_the_same_answer_sent_again_changes_nothing(link: str) -> None:
    client = Client()
    with clock.frozen(LATER):
        client.post(link, {"score": "3"})
    with clock.frozen(LATER + timedelta(hours=1)):
        client.post(link, {"score": "3"})
    assert Survey.objects.get().answered_at == LATER


@pytest.mark.parametrize("score", ["0", "6", "-1", "tiga", "", "4.5", "99999999999999999999"])
def test_an_out_of_range_score_is_refused_and_nothing_is_lost(link: str, score: str) -> None:
    client = Client()
    with clock.frozen(LATER):
        refused = client.post(link, {"score": score, "comment": "Komentar saya"})
    assert refused.status_code == 400
    assert "Choose a score from 1 to 5." in text(refused)
    assert "Komentar saya" in refused.content.decode()
    assert Survey.objects.get().answered_at is None


def test_a_tampered_link_is_refused(link: str) -> None:
    survey = Survey.objects.get()
    token = survey_token(survey.pk)
    payload, signature = token.split(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    other = link.replace(token, f"{payload}:{flipped}")
    # Another survey's id with this survey's signature.
    next_id = base64.urlsafe_b64encode(f'{{"id":{survey.pk + 1}}}'.encode()).decode().rstrip("=")
    forged_id = link.replace(token, f"{next_id}:{signature}")
    client = Client()
    with clock.frozen(LATER):
        for address in (other, forged_id, "/survey/abc/", "/survey/eyJpZCI6MX0:abc/"):
            refused = client.get(address)
            assert refused.status_code == 404, address
            assert "This link is not valid" in text(refused)
            assert client.post(address, {"score": "1"}).status_code == 404
    assert Survey.objects.get().answered_at is None


def test_an_expired_link_says_so_and_records_nothing(link: str) -> None:
    survey = Survey.objects.get()
    client = Client()
    with clock.frozen(survey.expires_at):
        closed = client.get(link)
        posted = client.post(link, {"score": "1"})
    assert closed.status_code == 410
    assert "This survey has closed" in text(closed)
    assert posted.status_code == 410
    assert Survey.objects.get().answered_at is None


def test_the_page_speaks_the_customers_language_and_can_switch(link: str) -> None:
    client = Client()
    with clock.frozen(LATER):
        english = client.get(link + "?lang=en")
        indonesian = client.get(link + "?lang=id")
    assert english.content.decode().count('<html lang="en">') == 1
    assert indonesian.content.decode().count('<html lang="id">') == 1
    assert "Bahasa Indonesia" in text(english)


def test_the_page_runs_under_the_strict_content_security_policy(link: str) -> None:
    with clock.frozen(LATER):
        page = Client().get(link)
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "<script" not in page.content.decode()
    assert " style=" not in page.content.decode()
    assert 'name="viewport"' in page.content.decode()


def test_a_flood_is_answered_429_with_retry_after(link: str) -> None:
    client = Client()
    with clock.frozen(LATER):
        statuses = [client.get(link).status_code for _ in range(31)]
        refused = client.post(link, {"score": "5"})
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert Survey.objects.get().answered_at is None


def test_one_client_walking_many_links_is_limited_too(link: str) -> None:
    client = Client()
    with clock.frozen(LATER):
        statuses = [client.get(f"/survey/forged{n}:x/").status_code for n in range(300)]
        refused = client.get(link)
    assert set(statuses) == {404}
    assert refused.status_code == 429
    assert "Too many requests" in text(refused)


def test_customers_behind_one_address_keep_their_own_allowance(link: str) -> None:
    neighbour = Client()
    with clock.frozen(LATER):
        for _ in range(31):
            neighbour.get("/survey/someone-else:x/")
        assert neighbour.get("/survey/someone-else:x/").status_code == 429
        assert Client().get(link).status_code == 200
