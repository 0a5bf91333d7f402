"""What a customer types into a survey is shown as text to staff, never run, and a character
the database cannot store is refused with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from sigap.accounts.models import User
from sigap.core import clock
from sigap.feedback.links import survey_url
from sigap.feedback.models import Survey
from sigap.tickets.models import Ticket
from tests.conftest import login
from tests.feedback.conftest import RESOLVED_AT, surveys_sent
from tests.web.pages import text

LATER = RESOLVED_AT + timedelta(days=1)
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def survey_path(resolved: Ticket) -> str:
    [survey] = surveys_sent(resolved)
    return survey_url(survey.pk).split("127.0.0.1:8000", 1)[1]


def test_a_script_in_a_comment_is_shown_as_text(
    survey_path: str, resolved: Ticket, agent: User
) -> None:
    with clock.frozen(LATER):
        Client().post(survey_path, {"score": "1", "comment": SCRIPT})
        again = Client().get(survey_path)
    assert Survey.objects.get().comment == SCRIPT
    staff = login(Client(), agent)
    for page in (
        staff.get("/feedback/comments/"),
        staff.get(f"/tickets/{resolved.pk}/"),
        staff.get("/follow-ups/"),
        again,
    ):
        body = page.content.decode()
        assert "<script>alert" not in body
        assert "<img src=x" not in body
    assert SCRIPT in text(staff.get("/feedback/comments/"))


def test_a_nul_character_is_refused_with_a_reason(survey_path: str) -> None:
    with clock.frozen(LATER):
        refused = Client().post(survey_path, {"score": "3", "comment": "ok\x00"})
    assert refused.status_code == 400
    assert "The comment contains a character that cannot be saved." in text(refused)
    assert Survey.objects.get().answered_at is None


@pytest.mark.parametrize(
    "address",
    ["/survey/%00/", "/survey/" + "A" * 5000 + "/", "/follow-up/x:y/", "/survey/..%2f..%2f/"],
)
def test_odd_links_are_a_plain_404(db: None, address: str) -> None:
    assert Client().get(address).status_code == 404
