"""A signed-in person's profile language wins over the browser, but not over the switcher."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from sigap.accounts.models import User
from tests.web.pages import text


def _inbox_language(client: Client, *, browser: str = "en") -> str:
    page = text(client.get("/", HTTP_ACCEPT_LANGUAGE=browser))
    if "Kotak masuk" in page:
        return "id"
    assert "Inbox" in page
    return "en"


@pytest.mark.parametrize(("profile", "browser"), [("id", "en"), ("en", "id")])
def test_the_profile_language_wins_over_the_browser(
    client: Client, agent: User, profile: str, browser: str
) -> None:
    agent.language = profile
    agent.save()
    client.force_login(agent)

    assert _inbox_language(client, browser=browser) == profile


@pytest.mark.parametrize("browser", ["id", "en"])
def test_an_empty_profile_language_follows_the_browser(
    client: Client, agent: User, browser: str
) -> None:
    client.force_login(agent)

    assert _inbox_language(client, browser=browser) == browser


def test_a_language_the_desk_does_not_offer_follows_the_browser(
    client: Client, agent: User
) -> None:
    agent.language = "fr"
    agent.save()
    client.force_login(agent)

    assert _inbox_language(client, browser="id") == "id"


def test_the_language_switcher_wins_over_the_profile(client: Client, agent: User) -> None:
    agent.language = "id"
    agent.save()
    client.force_login(agent)

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert _inbox_language(client, browser="id") == "en"


def test_a_regional_profile_language_uses_the_desk_language(client: Client, agent: User) -> None:
    agent.language = "en-us"
    agent.save()
    client.force_login(agent)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="id")

    assert response.wsgi_request.LANGUAGE_CODE == "en"
    assert response["Content-Language"] == "en"


def test_signed_out_visitors_follow_the_browser(client: Client, agent: User) -> None:
    agent.language = "en"
    agent.save()

    page = text(client.get("/login/", HTTP_ACCEPT_LANGUAGE="id"))

    assert "Masuk" in page
