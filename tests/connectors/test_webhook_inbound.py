"""Signed webhook messages become social tickets; forged, stale and replayed ones change nothing."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.test import Client

from sigap.connectors.models import Connector, DeliveryStatus, InboundDelivery
from sigap.core import clock
from sigap.customers.models import CustomerIdentity, IdentityKind
from sigap.tickets.models import Channel, Direction, Message, Ticket
from tests.connectors.conftest import message_payload, post_signed


def test_a_signed_message_becomes_a_social_ticket_of_the_connectors_team(
    client: Client, webhook: Connector
) -> None:
    response = post_signed(client, webhook, message_payload(), delivery="d-1")

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert response.json() == {"status": "accepted", "detail": "", "tickets": [ticket.reference]}
    assert ticket.channel == Channel.SOCIAL
    assert ticket.team == webhook.team
    assert ticket.subject == "Halo, paket saya belum sampai."
    assert ticket.customer.name == "Siti Rahma"
    assert ticket.identity is not None
    assert (ticket.identity.kind, ticket.identity.network, ticket.identity.value) == (
        IdentityKind.SOCIAL,
        "instagram",
        "siti.rahma",
    )
    message = ticket.messages.get()
    assert message.body_text == "Halo, paket saya belum sampai."
    assert message.external_id == "m-1"
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.ACCEPTED
    assert delivery.ticket == ticket


def test_a_forged_signature_is_refused_and_nothing_is_kept(
    client: Client, webhook: Connector
) -> None:
    response = post_signed(client, webhook, message_payload(), secret="tebakan-penyerang")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "signature does not match" in response.json()["detail"]
    assert Ticket.objects.count() == 0
    assert InboundDelivery.objects.count() == 0


def test_a_body_changed_after_signing_is_refused(client: Client, webhook: Connector) -> None:
    stamp = int(clock.now().timestamp())
    from sigap.connectors.signing import signed_headers

    headers = signed_headers(
        secret="rahasia-bersama-toko-dan-desk",
        timestamp=stamp,
        body=b'{"message": {"id": "m-1", "text": "asli"}}',
        delivery="d-1",
    )
    response = client.post(
        f"/connectors/in/{webhook.inbound_key}",
        data=b'{"message": {"id": "m-1", "text": "palsu"}}',
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 401
    assert Ticket.objects.count() == 0


def test_an_unsigned_request_is_told_which_headers_are_missing(
    client: Client, webhook: Connector
) -> None:
    response = client.post(
        f"/connectors/in/{webhook.inbound_key}",
        data=b"{}",
        content_type="application/json",
    )

    assert response.status_code == 401
    assert response.json()["type"] == "urn:sigap:problem:unsigned"
    assert "X-Sigap-Signature" in response.json()["detail"]


def test_a_stale_timestamp_is_refused_as_a_possible_replay(
    client: Client, webhook: Connector
) -> None:
    ten_minutes_ago = int((clock.now() - timedelta(minutes=10)).timestamp())

    response = post_signed(client, webhook, message_payload(), timestamp=ten_minutes_ago)

    assert response.status_code == 401
    assert response.json()["type"] == "urn:sigap:problem:stale"
    assert "possible replay" in response.json()["detail"]
    assert Ticket.objects.count() == 0


def test_a_replayed_delivery_is_answered_as_a_duplicate_and_changes_nothing(
    client: Client, webhook: Connector
) -> None:
    first = post_signed(client, webhook, message_payload(), delivery="d-7")
    again = post_signed(client, webhook, message_payload(), delivery="d-7")

    assert first.status_code == again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1
    assert InboundDelivery.objects.count() == 1


def test_the_same_message_in_a_new_delivery_is_taken_once(
    client: Client, webhook: Connector
) -> None:
    post_signed(client, webhook, message_payload(message_id="m-5"), delivery="d-1")
    second = post_signed(client, webhook, message_payload(message_id="m-5"), delivery="d-2")
    third = post_signed(client, webhook, message_payload(message_id="m-5"))

    assert second.json()["status"] == "duplicate"
    assert third.json()["status"] == "duplicate"
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1


def test_malformed_json_with_a_good_signature_is_kept_and_flagged(
    client: Client, webhook: Connector
) -> None:
    raw = b'{"message": {"id": "m-1", "text": "Halo'

    response = post_signed(client, webhook, None, raw=raw, delivery="d-3")

    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    kept = InboundDelivery.objects.get()
    assert kept.status == DeliveryStatus.QUARANTINED
    assert bytes(kept.raw) == raw
    assert "not valid JSON" in kept.error
    assert kept.headers["X-Sigap-Delivery"] == "d-3"
    assert Ticket.objects.count() == 0


def test_json_that_is_not_a_message_is_kept_and_names_the_missing_field(
    client: Client, webhook: Connector
) -> None:
    payload = message_payload()
    del payload["sender"]

    response = post_signed(client, webhook, payload)

    assert response.status_code == 422
    assert "sender" in response.json()["detail"]
    assert InboundDelivery.objects.get().status == DeliveryStatus.QUARANTINED


def test_a_sender_id_the_desk_cannot_use_is_quarantined_not_lost(
    client: Client, webhook: Connector
) -> None:
    response = post_signed(client, webhook, message_payload(sender="siti rahma <script>"))

    assert response.status_code == 422
    kept = InboundDelivery.objects.get()
    assert kept.status == DeliveryStatus.QUARANTINED
    assert "not a valid handle" in kept.error
    assert Ticket.objects.count() == 0
    assert not CustomerIdentity.objects.exists()


def test_an_unknown_or_disabled_connector_address_is_not_found(
    client: Client, webhook: Connector
) -> None:
    assert (
        client.post(
            "/connectors/in/tebakan", data=b"{}", content_type="application/json"
        ).status_code
        == 404
    )
    webhook.is_enabled = False
    webhook.save()

    response = post_signed(client, webhook, message_payload())

    assert response.status_code == 404
    assert Ticket.objects.count() == 0


def test_a_timestamp_out_of_any_range_is_refused_cleanly(
    client: Client, webhook: Connector
) -> None:
    response = post_signed(client, webhook, message_payload(), timestamp=999_999_999_999)

    assert response.status_code == 401
    assert response.json()["type"] == "urn:sigap:problem:stale"


def test_a_database_outage_asks_the_sender_to_try_again_later(
    client: Client, webhook: Connector, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from sigap.connectors import services

    def down(**kwargs: object) -> None:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(services, "customer_for_identity", down)

    response = post_signed(client, webhook, message_payload())

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert InboundDelivery.objects.count() == 0


def test_json_nested_beyond_reason_is_kept_and_flagged_not_a_crash(
    client: Client, webhook: Connector
) -> None:
    raw = b"[" * 200_000 + b"]" * 200_000

    response = post_signed(client, webhook, None, raw=raw)

    assert response.status_code == 400
    assert InboundDelivery.objects.get().status == DeliveryStatus.QUARANTINED


def test_refusals_leave_a_clear_log_line(
    client: Client, webhook: Connector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sigap.connectors")

    post_signed(client, webhook, message_payload(), secret="palsu")
    post_signed(client, webhook, None, raw=b"{rusak")

    lines = [record.getMessage() for record in caplog.records if record.name.startswith("sigap")]
    assert lines == [
        f"connector {webhook.pk}: refused a request: The signature does not match the body.",
        f"connector {webhook.pk}: quarantined a request: The body is not valid JSON: "
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
    ]


def test_a_replay_is_logged(
    client: Client, webhook: Connector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sigap.connectors")
    post_signed(client, webhook, message_payload(), delivery="d-9")

    post_signed(client, webhook, message_payload(), delivery="d-9")

    assert f"connector {webhook.pk}: delivery d-9 received again; nothing changed" in caplog.text
