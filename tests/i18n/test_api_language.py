"""API problem bodies speak the language the client asks for with Accept-Language."""

from __future__ import annotations

from django.test import Client

from sigap.accounts.models import User
from sigap.accounts.services import token_create
from sigap.tickets.models import Ticket


def _api(user: User, language: str) -> Client:
    token = token_create(user=user, name="test").token
    return Client(headers={"Authorization": f"Bearer {token}", "Accept-Language": language})


def test_a_validation_error_is_explained_in_indonesian(agent: User, ticket: Ticket) -> None:
    response = _api(agent, "id").post(
        f"/api/tickets/{ticket.pk}/replies", data="{}", content_type="application/json"
    )

    assert response.status_code == 400
    assert response["Content-Language"] == "id"
    assert response.json()["title"] == "Masukan tidak valid"
    assert response.json()["detail"] == "body: Kolom ini wajib diisi."
    assert response.json()["errors"] == [{"field": "body", "detail": "Kolom ini wajib diisi."}]


def test_a_refused_filter_is_explained_in_indonesian(agent: User, ticket: Ticket) -> None:
    response = _api(agent, "id").get("/api/tickets?status=baru")

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "baru bukan nilai status yang valid; pilih salah satu: active, any, new, open, "
        "pending_customer, pending_internal, resolved, closed."
    )


def test_the_same_error_stays_english_for_an_english_client(agent: User, ticket: Ticket) -> None:
    response = _api(agent, "en").post(
        f"/api/tickets/{ticket.pk}/replies", data="{}", content_type="application/json"
    )

    assert response.json()["title"] == "Invalid input"
    assert response.json()["detail"] == "body: This field is required."
