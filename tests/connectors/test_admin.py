"""Admins set up connectors: secrets are write-only and encrypted, URLs checked on save."""

from __future__ import annotations

import html
import re
from typing import Any

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.connectors.models import Connector
from sigap.connectors.services import connector_secrets
from tests.conftest import login


def errors(response: Any) -> list[str]:
    """The admin form's error messages."""
    found = re.findall(
        r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S
    )
    return [html.unescape(re.sub(r"<[^>]+>", " ", block)) for block in found]


ADD = "/admin/connectors/connector/add/"


def _form(team: Team, **values: str) -> dict[str, str]:
    return {
        "name": "Toko Instagram",
        "kind": "webhook",
        "team": str(team.pk),
        "network": "instagram",
        "outbound_url": "https://93.184.215.14/replies",
        "is_enabled": "on",
        "signing_secret": "",
        "bot_token": "",
        "secret_token": "",
        **values,
    }


def test_an_outbound_url_inside_the_network_is_refused_with_the_reason(
    client: Client, admin_user: User, team_a: Team, settings: Any
) -> None:
    settings.CONNECTOR_ALLOWED_NETWORKS = []
    login(client, admin_user)

    response = client.post(ADD, _form(team_a, outbound_url="http://169.254.169.254/latest/"))

    assert response.status_code == 200
    assert any("a link-local address" in error for error in errors(response))
    assert not Connector.objects.exists()


def test_a_new_webhook_connector_gets_a_signing_secret_shown_once_and_stored_encrypted(
    client: Client, admin_user: User, team_a: Team
) -> None:
    login(client, admin_user)

    response = client.post(ADD, _form(team_a), follow=True)

    connector = Connector.objects.get()
    secret = connector_secrets(connector)["signing_secret"]
    shown = [str(message) for message in response.context["messages"]]
    assert any(secret in message for message in shown)
    assert any(f"/connectors/in/{connector.inbound_key}" in message for message in shown)
    assert secret not in connector.sealed_secrets
    assert len(connector.inbound_key) >= 40

    page = client.get(f"/admin/connectors/connector/{connector.pk}/change/")
    assert secret not in page.content.decode()


def test_leaving_a_secret_empty_keeps_it_and_typing_one_replaces_it(
    client: Client, admin_user: User, team_a: Team
) -> None:
    login(client, admin_user)
    client.post(ADD, _form(team_a, signing_secret="rahasia-pertama"))
    connector = Connector.objects.get()
    change = f"/admin/connectors/connector/{connector.pk}/change/"

    client.post(change, _form(team_a, name="Toko IG"))
    connector.refresh_from_db()
    assert connector.name == "Toko IG"
    assert connector_secrets(connector)["signing_secret"] == "rahasia-pertama"

    client.post(change, _form(team_a, signing_secret="rahasia-kedua"))
    connector.refresh_from_db()
    assert connector_secrets(connector)["signing_secret"] == "rahasia-kedua"


def test_a_telegram_connector_needs_a_bot_token(
    client: Client, admin_user: User, team_a: Team
) -> None:
    login(client, admin_user)

    response = client.post(ADD, _form(team_a, kind="telegram", network="", outbound_url=""))

    assert any("Bot token" in error for error in errors(response))
    client.post(ADD, _form(team_a, kind="telegram", network="", outbound_url="", bot_token="1:abc"))
    connector = Connector.objects.get()
    assert connector.network == "telegram"
    assert set(connector_secrets(connector)) == {"bot_token", "secret_token"}


def test_an_admin_points_the_telegram_bot_at_the_desk(
    client: Client, admin_user: User, telegram: Connector, bot_api: Any
) -> None:
    login(client, admin_user)

    response = client.post(
        "/admin/connectors/connector/",
        {"action": "register_telegram_webhook", "_selected_action": [str(telegram.pk)]},
        follow=True,
    )

    assert "Webhook was set" in response.content.decode()
    [request] = bot_api.received
    assert request.path.endswith("/setWebhook")
    sent = request.json()
    assert sent["url"] == f"http://testserver/connectors/in/{telegram.inbound_key}"
    assert sent["secret_token"] == connector_secrets(telegram)["secret_token"]
    assert sent["allowed_updates"] == ["message"]


def test_the_lists_show_connectors_and_what_they_received(
    client: Client, admin_user: User, telegram: Connector
) -> None:
    from tests.connectors.conftest import post_update
    from tests.connectors.test_telegram import update

    post_update(Client(), telegram, update(40001, 1600, text="Halo"))
    login(client, admin_user)

    connectors = client.get("/admin/connectors/connector/?kind=telegram").content.decode()
    deliveries = client.get("/admin/connectors/inbounddelivery/?status=accepted").content.decode()

    assert "Toko bot" in connectors
    assert "Telegram bot" in connectors
    assert "40001" in deliveries


def test_the_connector_list_shows_quarantined_deliveries_waiting(
    client: Client, admin_user: User, webhook: Connector
) -> None:
    from tests.connectors.conftest import post_signed

    post_signed(Client(), webhook, None, raw=b"{rusak")
    post_signed(Client(), webhook, None, raw=b"{rusak lagi")
    login(client, admin_user)

    page = client.get("/admin/connectors/connector/").content.decode()

    assert f"connector__id__exact={webhook.pk}&amp;status__exact=quarantined" in page
    assert re.search(r"status__exact=quarantined\">2</a>", page)


def test_a_leaked_address_is_replaced_and_stops_working(
    client: Client, admin_user: User, webhook: Connector
) -> None:
    from tests.connectors.conftest import message_payload, post_signed

    old_key = webhook.inbound_key
    login(client, admin_user)

    response = client.post(
        "/admin/connectors/connector/",
        {"action": "new_address", "_selected_action": [str(webhook.pk)]},
        follow=True,
    )

    webhook.refresh_from_db()
    assert webhook.inbound_key != old_key
    assert f"/connectors/in/{webhook.inbound_key}" in response.content.decode()
    stale = Connector(pk=webhook.pk, inbound_key=old_key)
    assert post_signed(Client(), stale, message_payload()).status_code == 404
    assert post_signed(Client(), webhook, message_payload()).status_code == 200
