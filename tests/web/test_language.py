from __future__ import annotations

from django.conf import settings
from django.test import Client

from sigap.accounts.models import User


def test_choosing_bahasa_indonesia_sets_the_language_cookie_and_returns(
    client: Client, agent: User
) -> None:
    client.force_login(agent)

    response = client.post("/i18n/setlang/", {"language": "id", "next": "/customers/"})

    assert response.status_code == 302
    assert response["Location"] == "/customers/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "id"
    assert client.get("/").wsgi_request.LANGUAGE_CODE == "id"


def test_every_page_offers_both_languages(client: Client) -> None:
    page = client.get("/login/").content.decode()

    assert 'action="/i18n/setlang/"' in page
    assert '<option value="id">Bahasa Indonesia</option>' in page
    assert '<option value="en" selected>English</option>' in page
