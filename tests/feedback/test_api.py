"""Survey results and follow-ups through the API, refused to outsiders like a missing ticket."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from sigap.accounts.models import User
from sigap.accounts.services import token_create
from sigap.core import clock
from sigap.feedback.models import FollowUp
from sigap.feedback.surveys import survey_answer
from sigap.tickets.models import Status, Ticket
from tests.feedback.conftest import RESOLVED_AT, surveys_sent


def _api(user: User) -> Client:
    token = token_create(user=user, name="test").token
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_a_tickets_surveys_and_follow_ups(resolved: Ticket, agent: User) -> None:
    [survey] = surveys_sent(resolved)
    with clock.frozen(RESOLVED_AT + timedelta(days=1)):
        survey_answer(survey_id=survey.pk, score=4, comment="Baik")
    body = _api(agent).get(f"/api/tickets/{resolved.pk}/feedback").json()
    assert [(s["kind"], s["score"], s["comment"]) for s in body["surveys"]] == [("csat", 4, "Baik")]
    assert [(f["mode"], f["state"]) for f in body["follow_ups"]] == [("task", "scheduled")]


def test_my_follow_ups_and_recording_a_result(resolved: Ticket, agent: User) -> None:
    client = _api(agent)
    page = client.get("/api/follow-ups").json()
    assert [item["ticket"]["name"] for item in page["items"]] == [resolved.reference]
    follow_up_id = page["items"][0]["id"]
    recorded = client.post(
        f"/api/follow-ups/{follow_up_id}/result",
        {"result": "problem_continues", "note": "Masih rusak"},
        content_type="application/json",
    )
    assert recorded.status_code == 200
    assert recorded.json()["result"] == "problem_continues"
    resolved.refresh_from_db()
    assert resolved.status == Status.OPEN
    again = client.post(
        f"/api/follow-ups/{follow_up_id}/result",
        {"result": "satisfied"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_a_bad_result_is_a_400_problem(resolved: Ticket, agent: User) -> None:
    follow_up = FollowUp.objects.get(ticket=resolved)
    refused = _api(agent).post(
        f"/api/follow-ups/{follow_up.pk}/result",
        {"result": "maybe"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("application/problem+json")
    assert FollowUp.objects.get(pk=follow_up.pk).result == ""


def test_outsiders_get_404_and_see_no_comments(
    resolved: Ticket, agent: User, outsider: User
) -> None:
    [survey] = surveys_sent(resolved)
    with clock.frozen(RESOLVED_AT + timedelta(days=1)):
        survey_answer(survey_id=survey.pk, score=1, comment="Kecewa")
    client = _api(outsider)
    assert client.get(f"/api/tickets/{resolved.pk}/feedback").status_code == 404
    follow_up = FollowUp.objects.get(ticket=resolved)
    refused = client.post(
        f"/api/follow-ups/{follow_up.pk}/result",
        {"result": "satisfied"},
        content_type="application/json",
    )
    assert refused.status_code == 404
    assert client.get("/api/surveys/comments").json()["items"] == []
    mine = _api(agent).get("/api/surveys/comments", {"q": "kecewa", "low": "true"}).json()
    assert [item["comment"] for item in mine["items"]] == ["Kecewa"]
