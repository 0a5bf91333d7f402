"""An admin sets up a shop's chat widget: its team and the sites allowed to show it."""

from __future__ import annotations

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.chat.models import ChatWidget
from tests.chat.conftest import SHOP


def test_an_admin_adds_a_widget_and_only_the_listed_sites_may_use_it(
    admin_user: User, team_a: Team
) -> None:
    client = Client()
    client.force_login(admin_user)

    response = client.post(
        "/admin/chat/chatwidget/add/",
        {
            "name": "Toko Elektronik",
            "team": team_a.pk,
            "key": "toko-elektronik",
            "allowed_origins": f"{SHOP}/\nhttps://www.toko.example",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    widget = ChatWidget.objects.get()
    assert widget.team == team_a
    allowed = Client().get("/chat/toko-elektronik/config/?language=en", HTTP_ORIGIN=SHOP)
    refused = Client().get("/chat/toko-elektronik/config/", HTTP_ORIGIN="https://evil.example")
    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == SHOP
    assert allowed.json()["texts"]["open"] == "Chat with us"
    assert refused.status_code == 404
    assert "Access-Control-Allow-Origin" not in refused


def test_an_agent_cannot_change_widgets(agent: User) -> None:
    client = Client()
    client.force_login(agent)

    assert client.get("/admin/chat/chatwidget/").status_code in (302, 403)
