from __future__ import annotations

import pytest

from sigap.accounts.models import Team, User
from sigap.core.errors import Conflict, InvalidInput, NotAllowed
from sigap.customers.models import IdentityKind
from sigap.customers.services import IdentityInput, customer_for_identity, customer_merge
from tests.factories import make_customer, make_ticket


def test_merge_keeps_every_ticket_and_identity(supervisor: User, team_a: Team) -> None:
    target = make_customer("Wulan Sari", email="wulan@contoh.co.id")
    source = make_customer("W. Sari", email="wulan.sari@kantor.co.id", phone="081299998888")
    source.is_vip = True
    source.save()
    kept = make_ticket(team=team_a, customer=target)
    moved = [make_ticket(team=team_a, customer=source) for _ in range(2)]

    customer_merge(by=supervisor, source=source, target=target)

    target.refresh_from_db()
    source.refresh_from_db()
    assert source.merged_into == target
    assert target.is_vip
    assert set(target.tickets.values_list("pk", flat=True)) == {kept.pk, *(t.pk for t in moved)}
    assert sorted(target.identities.values_list("value", flat=True)) == [
        "+6281299998888",
        "wulan.sari@kantor.co.id",
        "wulan@contoh.co.id",
    ]
    for ticket in moved:
        event = ticket.events.get(kind="customer_merged")
        assert event.data["from"] == source.pk
        assert event.actor_user == supervisor


def test_new_contact_from_a_merged_address_lands_on_the_survivor(supervisor: User) -> None:
    target = make_customer("Wulan")
    source = make_customer("W.", email="lama@contoh.co.id")
    customer_merge(by=supervisor, source=source, target=target)

    found, _, _ = customer_for_identity(
        identity=IdentityInput(IdentityKind.EMAIL, "lama@contoh.co.id")
    )

    assert found == target


def test_agent_may_not_merge(agent: User) -> None:
    source, target = make_customer(), make_customer()

    with pytest.raises(NotAllowed):
        customer_merge(by=agent, source=source, target=target)

    source.refresh_from_db()
    assert source.merged_into is None


def test_merge_into_itself_or_twice_is_refused(supervisor: User) -> None:
    source, target = make_customer(), make_customer()
    with pytest.raises(InvalidInput):
        customer_merge(by=supervisor, source=source, target=source)

    customer_merge(by=supervisor, source=source, target=target)
    with pytest.raises(Conflict):
        customer_merge(by=supervisor, source=source, target=target)
