from __future__ import annotations

import json
from typing import Any

from django.test import Client

from sigap.accounts.models import User
from sigap.core.jobs import run_due_jobs
from sigap.core.models import Job
from sigap.tickets.models import Ticket
from tests.api.conftest import ApiClient


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_a_reply_is_queued_for_delivery_and_shows_on_the_timeline(
    agent: User, ticket: Ticket, api_as: ApiClient, mailoutbox: list[Any]
) -> None:
    client = api_as(agent)

    response = _post(
        client,
        f"/api/tickets/{ticket.pk}/replies",
        {"body": "Mohon maaf, kami kirim pengganti.", "status": "pending_customer"},
    )

    assert response.status_code == 201
    message = response.json()
    assert message["direction"] == "out"
    assert message["delivery_status"] == "queued"
    assert message["author"] == {"type": "user", "id": agent.pk, "name": "Sari"}
    job = Job.objects.get()
    assert (job.kind, job.payload) == ("deliver_message", {"message": message["id"]})

    timeline = client.get(f"/api/tickets/{ticket.pk}/timeline").json()
    assert [event["kind"] for event in timeline["items"]] == [
        "ticket_created",
        "reply_sent",
        "status_changed",
    ]
    reply = timeline["items"][1]
    assert reply["label"] == "replied"
    assert reply["actor"]["name"] == "Sari"
    assert reply["message"]["body_text"] == "Mohon maaf, kami kirim pengganti."
    assert timeline["items"][2]["data"] == {"from": "new", "to": "pending_customer"}
    assert timeline["next_cursor"] is None
    assert client.get(f"/api/tickets/{ticket.pk}").json()["status"] == "pending_customer"

    assert run_due_jobs() == 1
    assert len(mailoutbox) == 1
    delivered = client.get(f"/api/tickets/{ticket.pk}/timeline").json()["items"][1]
    assert delivered["message"]["delivery_status"] == "sent"


def test_a_note_stays_internal(agent: User, ticket: Ticket, api_as: ApiClient) -> None:
    response = _post(
        api_as(agent), f"/api/tickets/{ticket.pk}/notes", {"body": "Cek stok gudang dulu."}
    )

    assert response.status_code == 201
    assert response.json()["direction"] == "note"
    assert response.json()["delivery_status"] == "internal"
    assert not Job.objects.exists()


def test_an_empty_reply_is_refused_with_the_field(
    agent: User, ticket: Ticket, api_as: ApiClient
) -> None:
    response = _post(api_as(agent), f"/api/tickets/{ticket.pk}/replies", {"body": "   "})

    assert response.status_code == 400
    assert response.json()["detail"] == "The message is empty."
    assert response.json()["field"] == "body"


def test_the_timeline_pages_oldest_first_without_gaps(
    agent: User, ticket: Ticket, api_as: ApiClient
) -> None:
    client = api_as(agent)
    for number in range(5):
        _post(client, f"/api/tickets/{ticket.pk}/notes", {"body": f"Catatan {number}"})

    seen: list[int] = []
    cursor = ""
    pages = 0
    while True:
        page = client.get(f"/api/tickets/{ticket.pk}/timeline?size=2&cursor={cursor}").json()
        seen += [event["id"] for event in page["items"]]
        pages += 1
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]

    assert pages == 3
    assert seen == list(ticket.events.order_by("created_at", "pk").values_list("pk", flat=True))
