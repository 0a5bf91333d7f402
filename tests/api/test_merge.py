from __future__ import annotations

import json
from typing import Any

from django.test import Client

from sigap.accounts.models import Team, User
from tests.api.conftest import ApiClient
from tests.factories import make_customer, make_ticket


def _merge(client: Client, target: int, source: int) -> Any:
    return client.post(
        f"/api/customers/{target}/merge",
        data=json.dumps({"source_id": source}),
        content_type="application/json",
    )


def test_an_agent_may_not_merge(agent: User, api_as: ApiClient) -> None:
    source, target = make_customer(), make_customer()

    response = _merge(api_as(agent), target.pk, source.pk)

    assert response.status_code == 403
    assert response.json()["detail"] == "You may not merge customers."
    source.refresh_from_db()
    assert source.merged_into is None


def test_merge_keeps_every_ticket_and_identity(
    supervisor: User, team_a: Team, api_as: ApiClient
) -> None:
    target = make_customer("Wulan Sari", email="wulan@contoh.co.id")
    source = make_customer("W. Sari", email="wulan.sari@kantor.co.id", phone="081299998888")
    tickets = [make_ticket(team=team_a, customer=c) for c in (target, source, source)]
    client = api_as(supervisor)

    response = _merge(client, target.pk, source.pk)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == target.pk
    assert body["merged_from"] == [source.pk]
    assert sorted(i["value"] for i in body["identities"]) == [
        "+6281299998888",
        "wulan.sari@kantor.co.id",
        "wulan@contoh.co.id",
    ]
    listed = client.get(f"/api/customers/{target.pk}/tickets").json()["items"]
    assert sorted(t["id"] for t in listed) == sorted(t.pk for t in tickets)
    moved = client.get(f"/api/tickets/{tickets[1].pk}/timeline").json()["items"]
    assert moved[-1]["kind"] == "customer_merged"


def test_the_merged_away_id_leads_to_the_survivor(supervisor: User, api_as: ApiClient) -> None:
    target, source = make_customer("Wulan"), make_customer("W.")
    client = api_as(supervisor)
    _merge(client, target.pk, source.pk)

    response = client.get(f"/api/customers/{source.pk}")
    changed = client.patch(
        f"/api/customers/{source.pk}",
        data=json.dumps({"name": "Lama"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["id"] == target.pk
    assert changed.status_code == 409
    assert changed.json()["detail"] == (
        f"This customer was merged into customer {target.pk}; change that one instead."
    )


def test_merging_an_unknown_customer_names_the_field(supervisor: User, api_as: ApiClient) -> None:
    target = make_customer()

    response = _merge(api_as(supervisor), target.pk, 999_999)

    assert response.status_code == 400
    assert response.json()["field"] == "source_id"
