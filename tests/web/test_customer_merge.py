from __future__ import annotations

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.customers.models import Customer
from tests import factories
from tests.web.pages import errors, text


def test_merging_keeps_every_ticket_and_identity_on_the_survivor(
    client: Client, supervisor: User, team_a: Team
) -> None:
    wati = factories.make_customer("Wati Susanto", email="wati@mail.example")
    duplicate = factories.make_customer("W. Susanto", email="wati.s@kantor.example")
    first = factories.make_ticket(team=team_a, customer=wati)
    second = factories.make_ticket(team=team_a, customer=duplicate)
    third = factories.make_ticket(team=team_a, customer=duplicate)
    client.force_login(supervisor)

    response = client.post(f"/customers/{wati.pk}/merge/", {"other": "wati.s@kantor.example"})

    assert response.status_code == 302
    assert response["Location"] == f"/customers/{wati.pk}/"
    assert set(wati.tickets.all()) == {first, second, third}
    assert sorted(wati.identities.values_list("value", flat=True)) == [
        "wati.s@kantor.example",
        "wati@mail.example",
    ]
    page = text(client.get(response["Location"]))
    assert "W. Susanto was merged into this customer." in page


def test_a_merged_customers_page_leads_to_the_survivor(client: Client, supervisor: User) -> None:
    wati = factories.make_customer("Wati Susanto")
    duplicate = factories.make_customer("W. Susanto")
    client.force_login(supervisor)
    client.post(f"/customers/{wati.pk}/merge/", {"other": f"#{duplicate.pk}"})

    response = client.get(f"/customers/{duplicate.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/customers/{wati.pk}/"


def test_an_agent_may_not_merge(client: Client, agent: User) -> None:
    wati = factories.make_customer("Wati Susanto")
    duplicate = factories.make_customer("W. Susanto")
    client.force_login(agent)

    page = client.get(f"/customers/{wati.pk}/")
    response = client.post(f"/customers/{wati.pk}/merge/", {"other": str(duplicate.pk)})

    assert "Merge a duplicate" not in page.content.decode()
    assert response.status_code == 403
    assert errors(response) == ["You may not merge customers."]
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_an_unknown_other_customer_is_explained(client: Client, supervisor: User) -> None:
    wati = factories.make_customer("Wati Susanto")
    client.force_login(supervisor)

    response = client.post(f"/customers/{wati.pk}/merge/", {"other": "nobody@mail.example"})

    assert response.status_code == 400
    assert errors(response) == ["No customer has the address nobody@mail.example."]
    assert Customer.objects.filter(merged_into__isnull=False).count() == 0
