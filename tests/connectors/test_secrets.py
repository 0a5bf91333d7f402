"""Connector secrets are encrypted at rest; when they cannot be read the desk says so."""

from __future__ import annotations

from typing import Any

from django.test import Client

from sigap.connectors.models import Connector
from sigap.tickets.models import Ticket
from tests.connectors.conftest import SIGNING_SECRET, message_payload, post_signed


def test_the_stored_column_holds_no_secret_in_plain_text(webhook: Connector) -> None:
    webhook.refresh_from_db()

    assert SIGNING_SECRET not in webhook.sealed_secrets
    assert webhook.sealed_secrets.startswith("gAAAA")  # a Fernet token


def test_after_the_secret_key_changed_requests_are_refused_with_the_reason(
    client: Client, webhook: Connector, settings: Any
) -> None:
    settings.SECRET_KEY = "a-different-secret-key-after-a-restore-elsewhere"

    response = post_signed(client, webhook, message_payload())

    assert response.status_code == 503
    assert "enter them again" in response.json()["detail"]
    assert Ticket.objects.count() == 0


def test_a_connector_whose_kind_is_no_longer_installed_is_refused(
    client: Client, webhook: Connector
) -> None:
    Connector.objects.filter(pk=webhook.pk).update(kind="retired-plugin")

    response = post_signed(client, webhook, message_payload())

    assert response.status_code == 503
    assert "retired-plugin" in response.json()["detail"]
