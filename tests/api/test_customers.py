from __future__ import annotations

import json
from typing import Any

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.customers.models import Customer
from tests.api.conftest import ApiClient
from tests.factories import make_customer, make_ticket


def _send(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


def test_create_a_customer_with_addresses(agent: User, api_as: ApiClient) -> None:
    response = _send(
        api_as(agent),
        "post",
        "/api/customers",
        {
            "name": "Wulan Sari",
            "language": "en",
            "is_vip": True,
            "identities": [
                {"kind": "email", "value": "Wulan@Contoh.co.id"},
                {"kind": "social", "value": "@wulan.sari", "network": "Instagram"},
            ],
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["language"], body["is_vip"]) == ("Wulan Sari", "en", True)
    assert [(i["kind"], i["value"], i["network"]) for i in body["identities"]] == [
        ("email", "wulan@contoh.co.id", ""),
        ("social", "wulan.sari", "instagram"),
    ]
    assert (body["merged_into"], body["merged_from"]) == (None, [])


def test_an_address_someone_else_has_is_409_suggesting_a_merge(
    agent: User, api_as: ApiClient
) -> None:
    make_customer("Wulan Sari", email="wulan@contoh.co.id")

    response = _send(
        api_as(agent),
        "post",
        "/api/customers",
        {"name": "W. Sari", "identities": [{"kind": "email", "value": "wulan@contoh.co.id"}]},
    )

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "wulan@contoh.co.id already belongs to Wulan Sari; merge the two customers instead."
    )
    assert response.json()["field"] == "identities"
    assert Customer.objects.count() == 1


def test_an_unknown_language_is_refused(agent: User, api_as: ApiClient) -> None:
    response = _send(api_as(agent), "post", "/api/customers", {"name": "X", "language": "fr"})

    assert response.status_code == 400
    assert response.json()["detail"] == "language: Choose one of id, en."


def test_search_by_name_email_or_phone(agent: User, api_as: ApiClient) -> None:
    wulan = make_customer("Wulan Sari", email="wulan@contoh.co.id", phone="081299998888")
    make_customer("Budi Santoso", email="budi@contoh.co.id")
    client = api_as(agent)

    def found(q: str) -> list[int]:
        response = client.get("/api/customers", {"q": q})
        assert response.status_code == 200
        return [c["id"] for c in response.json()["items"]]

    assert found("wulan") == [wulan.pk]
    assert found("WULAN@contoh") == [wulan.pk]
    assert found("0812 9999") == [wulan.pk]
    assert found("+62812999988") == [wulan.pk]
    assert len(found("")) == 2


def test_search_pages_by_cursor(agent: User, api_as: ApiClient) -> None:
    made = [make_customer(f"Pelanggan {n}") for n in range(3)]
    client = api_as(agent)

    first = client.get("/api/customers?size=2").json()
    second = client.get(f"/api/customers?size=2&cursor={first['next_cursor']}").json()

    assert [c["id"] for c in first["items"] + second["items"]] == [c.pk for c in reversed(made)]
    assert second["next_cursor"] is None


def test_change_only_the_fields_sent_and_add_an_address(agent: User, api_as: ApiClient) -> None:
    customer = make_customer("Wulan", email="wulan@contoh.co.id")
    client = api_as(agent)

    changed = _send(client, "patch", f"/api/customers/{customer.pk}", {"is_vip": True})
    added = _send(
        client,
        "post",
        f"/api/customers/{customer.pk}/identities",
        {"kind": "phone", "value": "+62 812 1111 2222"},
    )

    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["is_vip"]) == ("Wulan", True)
    assert added.status_code == 201
    assert added.json()["value"] == "+6281211112222"
    assert customer.identities.count() == 2


def test_a_name_sent_as_null_is_refused_and_nothing_changes(agent: User, api_as: ApiClient) -> None:
    customer = make_customer("Wulan")

    response = _send(
        api_as(agent), "patch", f"/api/customers/{customer.pk}", {"is_vip": True, "name": None}
    )

    assert response.status_code == 400
    assert (response.json()["field"], response.json()["detail"]) == (
        "name",
        "name cannot be empty.",
    )
    customer.refresh_from_db()
    assert (customer.name, customer.is_vip) == ("Wulan", False)


def test_a_customers_tickets_are_only_those_i_may_see(
    agent: User, team_a: Team, team_b: Team, api_as: ApiClient
) -> None:
    customer = make_customer()
    mine = make_ticket(team=team_a, customer=customer)
    make_ticket(team=team_b, customer=customer)

    response = api_as(agent).get(f"/api/customers/{customer.pk}/tickets")

    assert [t["id"] for t in response.json()["items"]] == [mine.pk]


def test_an_unknown_customer_is_404(agent: User, api_as: ApiClient) -> None:
    response = api_as(agent).get("/api/customers/424242")

    assert response.status_code == 404
    assert response.json()["detail"] == "No customer 424242."
