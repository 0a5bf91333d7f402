from __future__ import annotations

import pytest

from sigap.core.errors import Conflict, InvalidInput
from sigap.customers.identities import normalise_identity
from sigap.customers.models import IdentityKind
from sigap.customers.services import (
    IdentityInput,
    customer_for_contact,
    customer_for_identity,
    identity_add,
)
from tests.factories import make_customer


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        (IdentityKind.PHONE, "0812-3456-7890", "+6281234567890"),
        (IdentityKind.PHONE, "+62 812 3456 7890", "+6281234567890"),
        (IdentityKind.PHONE, "0062 (812) 3456.7890", "+6281234567890"),
        (IdentityKind.EMAIL, " Budi.Santoso@Contoh.CO.ID ", "budi.santoso@contoh.co.id"),
        (IdentityKind.SOCIAL, "@TokoSigap", "tokosigap"),
        (IdentityKind.CHAT, "visitor-8f2a", "visitor-8f2a"),
    ],
)
def test_the_same_address_is_recognised_however_it_is_typed(
    kind: str, typed: str, stored: str
) -> None:
    assert normalise_identity(kind, typed) == stored


@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        (IdentityKind.PHONE, "12"),
        (IdentityKind.PHONE, "0812-ABC"),
        (IdentityKind.EMAIL, "budi@"),
        (IdentityKind.SOCIAL, "bad handle!"),
        (IdentityKind.EMAIL, "   "),
    ],
)
def test_nonsense_is_refused(kind: str, typed: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_identity(kind, typed)


@pytest.mark.django_db
def test_an_address_of_another_customer_is_refused_with_a_merge_hint() -> None:
    budi = make_customer("Budi", email="budi@contoh.co.id")
    other = make_customer("Budi S.")

    with pytest.raises(Conflict, match="merge"):
        identity_add(
            by=None, customer=other, identity=IdentityInput(IdentityKind.EMAIL, "BUDI@contoh.co.id")
        )

    assert budi.identities.count() == 1
    assert other.identities.count() == 1


@pytest.mark.django_db
def test_first_contact_creates_the_customer_and_the_second_finds_them() -> None:
    first, identity, is_new = customer_for_identity(
        identity=IdentityInput(IdentityKind.PHONE, "081234567890"), name="Wulan"
    )
    again, same, found_again = customer_for_identity(
        identity=IdentityInput(IdentityKind.PHONE, "+62 812-3456-7890")
    )

    assert again == first
    assert same == identity
    assert is_new
    assert not found_again
    assert first.name == "Wulan"


@pytest.mark.django_db
def test_a_contact_is_found_by_its_first_address_and_given_the_others() -> None:
    known = make_customer("Budi", email="budi@contoh.co.id")

    found = customer_for_contact(
        by=None,
        name="",
        addresses={
            "email": IdentityInput(IdentityKind.EMAIL, "BUDI@contoh.co.id"),
            "phone": IdentityInput(IdentityKind.PHONE, "0812 3456 7890"),
        },
    )

    assert found == known
    assert sorted(known.identities.values_list("value", flat=True)) == [
        "+6281234567890",
        "budi@contoh.co.id",
    ]


@pytest.mark.django_db
def test_a_contact_address_owned_by_someone_else_is_refused_by_its_name() -> None:
    make_customer("Budi", phone="081234567890")

    with pytest.raises(Conflict, match="merge") as refused:
        customer_for_contact(
            by=None,
            name="Wulan",
            addresses={
                "email": IdentityInput(IdentityKind.EMAIL, "wulan@contoh.co.id"),
                "phone": IdentityInput(IdentityKind.PHONE, "+62 812 3456 7890"),
            },
        )

    assert refused.value.field == "phone"


@pytest.mark.django_db
def test_a_contact_without_an_address_is_a_new_customer_by_name() -> None:
    customer = customer_for_contact(by=None, name=" Wulan ", addresses={})

    assert (customer.name, customer.identities.count()) == ("Wulan", 0)
