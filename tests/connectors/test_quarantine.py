"""Quarantined deliveries are visible to admins with their raw body and can be processed again."""

from __future__ import annotations

import pytest
from django.test import Client

from sigap.accounts.models import User
from sigap.connectors import services
from sigap.connectors.models import Connector, DeliveryStatus, InboundDelivery
from sigap.connectors.services import inbound_reprocess
from sigap.core.errors import InvalidInput, NotAllowed
from sigap.tickets.models import Ticket
from tests.conftest import login
from tests.connectors.conftest import message_payload, post_signed

LIST = "/admin/connectors/inbounddelivery/"


def _quarantined_by_a_fault(
    client: Client, webhook: Connector, monkeypatch: pytest.MonkeyPatch
) -> InboundDelivery:
    def broken(**kwargs: object) -> Ticket:
        raise InvalidInput("the ticket store is being repaired")

    with monkeypatch.context() as patch:
        patch.setattr(services, "ticket_open", broken)
        response = post_signed(client, webhook, message_payload(text="<script>alert(1)</script>"))
    assert response.status_code == 422
    return InboundDelivery.objects.get()


def test_an_admin_sees_the_raw_body_escaped_and_the_reason(
    client: Client, webhook: Connector, admin_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = _quarantined_by_a_fault(client, webhook, monkeypatch)
    login(client, admin_user)

    page = client.get(f"{LIST}{delivery.pk}/change/").content.decode()

    assert "the ticket store is being repaired" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page


def test_processing_again_after_the_fault_is_fixed_makes_the_ticket(
    client: Client, webhook: Connector, admin_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = _quarantined_by_a_fault(client, webhook, monkeypatch)
    login(client, admin_user)

    response = client.post(
        LIST, {"action": "reprocess", "_selected_action": [str(delivery.pk)]}, follow=True
    )

    assert "1 processed, 0 still quarantined." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.ACCEPTED
    assert delivery.reprocessed_by == admin_user
    ticket = Ticket.objects.get()
    assert delivery.ticket == ticket
    assert ticket.messages.get().body_text == "<script>alert(1)</script>"


def test_only_someone_allowed_may_process_again(
    client: Client, webhook: Connector, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = _quarantined_by_a_fault(client, webhook, monkeypatch)

    with pytest.raises(NotAllowed):
        inbound_reprocess(delivery=delivery, by=agent)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUARANTINED
