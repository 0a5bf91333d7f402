"""Connectors of team A, signed requests to them, and fake servers on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sigap.accounts.models import Team
from sigap.connectors.models import Connector
from sigap.connectors.services import connector_set_secrets
from sigap.connectors.signing import signed_headers
from sigap.core import clock
from tests.connectors.fake_servers import FakeServer, TelegramBotApi, serving

SIGNING_SECRET = "rahasia-bersama-toko-dan-desk"
BOT_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
TELEGRAM_SECRET = "token-rahasia-webhook_42"
TELEGRAM_CHAT = 111222333


@pytest.fixture(autouse=True)
def attachments_dir(settings: Any, tmp_path: Path) -> Path:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return Path(settings.ATTACHMENTS_DIR)


@pytest.fixture
def loopback_allowed(settings: Any) -> None:
    """The admin's allow-list lets the desk reach the fake servers on 127.0.0.1."""
    settings.CONNECTOR_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def nothing_allowed(settings: Any) -> None:
    settings.CONNECTOR_ALLOWED_NETWORKS = []


@pytest.fixture
def receiver(loopback_allowed: None) -> Iterator[FakeServer]:
    with serving(FakeServer()) as fake:
        yield fake


@pytest.fixture
def bot_api(loopback_allowed: None) -> Iterator[TelegramBotApi]:
    with serving(TelegramBotApi(BOT_TOKEN, {TELEGRAM_CHAT})) as fake:
        yield fake


@pytest.fixture
def webhook(team_a: Team, receiver: FakeServer) -> Connector:
    connector = Connector.objects.create(
        name="Instagram gateway",
        kind="webhook",
        team=team_a,
        network="instagram",
        outbound_url=f"{receiver.url}/replies",
    )
    connector_set_secrets(connector=connector, secrets={"signing_secret": SIGNING_SECRET})
    return connector


@pytest.fixture
def telegram(team_a: Team, bot_api: TelegramBotApi) -> Connector:
    connector = Connector.objects.create(
        name="Toko bot", kind="telegram", team=team_a, network="telegram", outbound_url=bot_api.url
    )
    connector_set_secrets(
        connector=connector, secrets={"bot_token": BOT_TOKEN, "secret_token": TELEGRAM_SECRET}
    )
    return connector


def inbound_url(connector: Connector) -> str:
    return reverse("connector_inbound", kwargs={"key": connector.inbound_key})


def message_payload(
    *,
    message_id: str = "m-1",
    text: str = "Halo, paket saya belum sampai.",
    conversation: str = "c-9",
    sender: str = "siti.rahma",
    name: str = "Siti Rahma",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "message": {"id": message_id, "text": text},
        "conversation": {"id": conversation},
        "sender": {"id": sender, "name": name, "language": "id"},
        **extra,
    }


def post_signed(
    client: Client,
    connector: Connector,
    payload: Any,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    delivery: str = "",
    raw: bytes | None = None,
) -> Any:
    body = raw if raw is not None else json.dumps(payload).encode()
    stamp = int(clock.now().timestamp()) if timestamp is None else timestamp
    headers = signed_headers(secret=secret, timestamp=stamp, body=body, delivery=delivery)
    if not delivery:
        headers.pop("X-Sigap-Delivery")
    return client.post(
        inbound_url(connector),
        data=body,
        content_type="application/json",
        headers=headers,
    )


def post_update(
    client: Client, connector: Connector, update: Any, *, secret: str = TELEGRAM_SECRET
) -> Any:
    return client.post(
        inbound_url(connector),
        data=json.dumps(update),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": secret},
    )
