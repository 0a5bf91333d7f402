from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sigap.accounts.models import Team, User
from sigap.customers.models import Customer
from tests import factories
from tests.web.pages import errors, next_link, text


def _names(response: object) -> list[str]:
    return [c.display_name for c in response.context["page"].items]  # type: ignore[attr-defined]


def test_customers_are_found_by_name_email_or_phone(client: Client, agent: User) -> None:
    factories.make_customer("Wati Susanto", email="wati@mail.example", phone="0812 1111 2222")
    factories.make_customer("Joko Santoso", email="joko@mail.example")
    client.force_login(agent)

    assert _names(client.get("/customers/?q=susanto")) == ["Wati Susanto"]
    assert _names(client.get("/customers/?q=joko@mail")) == ["Joko Santoso"]
    assert _names(client.get("/customers/?q=081211112222")) == ["Wati Susanto"]
    assert _names(client.get("/customers/?q=santo")) == ["Joko Santoso", "Wati Susanto"]


def test_the_customer_list_pages_by_key(client: Client, agent: User) -> None:
    for number in range(27):
        factories.make_customer(f"Pelanggan Uji {number:02d}")
    client.force_login(agent)

    first = client.get("/customers/?q=uji")
    link = next_link(first)
    assert link is not None
    second = client.get(link)

    assert len(_names(first)) == 25
    assert _names(second) == ["Pelanggan Uji 01", "Pelanggan Uji 00"]
    assert client.get("/customers/?cursor=nonsense").status_code == 400


def test_the_customer_page_shows_details_identities_and_visible_tickets(
    client: Client, agent: User, team_a: Team, team_b: Team
) -> None:
    wati = factories.make_customer("Wati Susanto", email="wati@mail.example")
    ours = factories.make_ticket(team=team_a, customer=wati, subject="Kulkas tidak dingin")
    factories.make_ticket(team=team_b, customer=wati, subject="Tagihan korporat")
    client.force_login(agent)

    page = text(client.get(f"/customers/{wati.pk}/"))

    assert "Wati Susanto" in page
    assert "wati@mail.example" in page
    assert f"{ours.reference} Kulkas tidak dingin" in page
    assert "Tagihan korporat" not in page


def test_details_are_saved(client: Client, agent: User) -> None:
    wati = factories.make_customer("Wati")
    client.force_login(agent)

    response = client.post(
        f"/customers/{wati.pk}/edit/",
        {"name": "Wati Susanto", "language": "en", "is_vip": "on", "notes": "Pelanggan lama"},
    )

    assert response.status_code == 302
    wati.refresh_from_db()
    assert (wati.name, wati.language, wati.is_vip, wati.notes) == (
        "Wati Susanto",
        "en",
        True,
        "Pelanggan lama",
    )


def test_an_identity_is_added(client: Client, agent: User) -> None:
    wati = factories.make_customer("Wati")
    client.force_login(agent)

    response = client.post(
        f"/customers/{wati.pk}/identities/",
        {"kind": "social", "network": "Instagram", "value": "@WatiS"},
    )

    assert response.status_code == 302
    assert wati.identities.filter(kind="social", network="instagram", value="watis").exists()


def test_an_identity_owned_by_another_customer_suggests_merging(
    client: Client, agent: User
) -> None:
    factories.make_customer("Joko", email="joko@mail.example")
    wati = factories.make_customer("Wati")
    client.force_login(agent)

    response = client.post(
        f"/customers/{wati.pk}/identities/",
        {"kind": "email", "network": "", "value": "joko@mail.example"},
    )

    assert response.status_code == 409
    assert errors(response) == [
        "joko@mail.example already belongs to Joko; merge the two customers instead."
    ]
    assert wati.identities.count() == 1


def test_an_unknown_customer_is_not_found(client: Client, agent: User) -> None:
    client.force_login(agent)

    assert client.get("/customers/999999/").status_code == 404
    assert Customer.objects.count() == 0


def test_the_customer_page_reads_the_identities_once_and_lists_them_by_kind(
    client: Client, agent: User
) -> None:
    wati = factories.make_customer("Wati", email="wati@mail.example", phone="0812 1111 2222")
    client.force_login(agent)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/customers/{wati.pk}/")

    reads = [q["sql"] for q in queries if 'FROM "customers_customeridentity"' in q["sql"]]
    assert len(reads) == 1
    assert [str(i) for i in response.context["identities"]] == [
        "wati@mail.example",
        "+6281211112222",
    ]
