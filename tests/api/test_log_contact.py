"""Logging a phone call or a walk-in visit through the API."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.customers.models import Customer, CustomerIdentity
from sigap.tickets.models import Ticket
from tests.api.conftest import ApiClient
from tests.factories import make_category, make_customer


def _log(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/tickets", data=json.dumps(body), content_type="application/json")


def test_a_phone_call_from_a_new_caller_becomes_my_ticket(
    agent: User, team_a: Team, api_as: ApiClient
) -> None:
    category = make_category("Pengiriman")

    response = _log(
        api_as(agent),
        {
            "customer": {"name": "Wulan", "phone": "0812-9999-8888"},
            "channel": "phone",
            "subject": "Paket belum sampai",
            "summary": "Menelepon menanyakan paket yang terlambat tiga hari.",
            "team_id": team_a.pk,
            "priority": "high",
            "category_id": category.pk,
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["channel"] == "phone"
    assert body["priority"] == "high"
    assert body["assignee"] == {"id": agent.pk, "name": "Sari"}
    assert body["created_by"] == {"id": agent.pk, "name": "Sari"}
    assert body["category"] == {"id": category.pk, "name": "Pengiriman"}
    assert body["first_response_at"] == body["created_at"]
    assert body["customer"]["name"] == "Wulan"
    assert CustomerIdentity.objects.get(customer_id=body["customer"]["id"]).value == (
        "+6281299998888"
    )


def test_a_known_caller_is_found_by_email_and_walk_in_resolved_on_the_spot(
    agent: User, team_a: Team, api_as: ApiClient
) -> None:
    known = make_customer("Wulan Sari", email="wulan@contoh.co.id")

    response = _log(
        api_as(agent),
        {
            "customer": {"name": "W. Sari", "email": "Wulan@Contoh.co.id"},
            "channel": "walk_in",
            "subject": "Tukar ukuran",
            "summary": "Datang ke toko, ukuran ditukar langsung.",
            "team_id": team_a.pk,
            "resolved_on_the_spot": True,
        },
    )

    assert response.status_code == 201
    assert response.json()["customer"]["id"] == known.pk
    assert response.json()["status"] == "resolved"
    assert Customer.objects.count() == 1


def test_a_customer_can_be_given_by_id(agent: User, team_a: Team, api_as: ApiClient) -> None:
    known = make_customer("Budi Santoso")

    response = _log(
        api_as(agent),
        {
            "customer_id": known.pk,
            "channel": "phone",
            "subject": "Tanya garansi",
            "summary": "Menanyakan masa garansi.",
            "team_id": team_a.pk,
        },
    )

    assert response.status_code == 201
    assert response.json()["customer"]["id"] == known.pk


def test_an_email_is_not_logged_by_hand(agent: User, team_a: Team, api_as: ApiClient) -> None:
    response = _log(
        api_as(agent),
        {
            "customer_id": make_customer().pk,
            "channel": "email",
            "subject": "x",
            "summary": "y",
            "team_id": team_a.pk,
        },
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "channel: Choose one of: phone, walk_in."


def test_logging_for_another_team_is_refused_and_leaves_no_new_customer(
    agent: User, team_b: Team, api_as: ApiClient
) -> None:
    response = _log(
        api_as(agent),
        {
            "customer": {"name": "Baru", "phone": "081234567890"},
            "channel": "phone",
            "subject": "Keluhan",
            "summary": "Keluhan pelanggan.",
            "team_id": team_b.pk,
        },
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "You may only open tickets for your own teams."
    assert not Customer.objects.exists()
    assert not Ticket.objects.exists()


def test_a_phone_number_owned_by_someone_else_is_a_conflict(
    agent: User, team_a: Team, api_as: ApiClient
) -> None:
    make_customer("Pemilik Email", email="ani@contoh.co.id")
    make_customer("Pemilik Nomor", phone="081299990000")

    response = _log(
        api_as(agent),
        {
            "customer": {"email": "ani@contoh.co.id", "phone": "081299990000"},
            "channel": "phone",
            "subject": "Retur",
            "summary": "Minta retur.",
            "team_id": team_a.pk,
        },
    )

    assert response.status_code == 409
    assert response.json()["field"] == "customer.phone"
    assert response.json()["detail"] == (
        "+6281299990000 already belongs to Pemilik Nomor; merge the two customers instead."
    )
    assert not Ticket.objects.exists()


def test_a_bad_phone_number_names_the_field(agent: User, team_a: Team, api_as: ApiClient) -> None:
    response = _log(
        api_as(agent),
        {
            "customer": {"phone": "12"},
            "channel": "phone",
            "subject": "x",
            "summary": "y",
            "team_id": team_a.pk,
        },
    )

    assert response.status_code == 400
    assert response.json()["field"] == "customer.phone"
    assert response.json()["detail"] == "12 is not a valid phone number."


def test_the_customer_must_be_said(agent: User, team_a: Team, api_as: ApiClient) -> None:
    response = _log(
        api_as(agent),
        {"channel": "phone", "subject": "x", "summary": "y", "team_id": team_a.pk},
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "Say who the customer is: customer_id or customer."
