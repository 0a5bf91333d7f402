"""An agent sees the desk in Indonesian or English, as the browser asks or as they switch."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sigap.accounts.models import User
from sigap.tickets.models import Ticket
from tests.web.pages import text

# Words each page must show in each language, and words of the other language it must not.
INDONESIAN = {
    "inbox": ["Kotak masuk", "Milik saya", "Tim saya", "Belum ditugaskan", "Petugas", "Keluar"],
    "ticket": [
        "membuat tiket melalui Email",
        "Prioritas Normal",
        "Balas",
        "Kirim balasan",
        "Catatan internal",
        "Tiket lainnya",
    ],
    "customer": ["Pelanggan #", "Tiket", "Rincian", "Cara menghubungi", "Alamat email", "Simpan"],
    "login": ["Masuk", "Nama pengguna", "Sandi"],
}
ENGLISH = {
    "inbox": ["Inbox", "Mine", "My team", "Unassigned", "Assignee", "Sign out"],
    "ticket": [
        "created the ticket by Email",
        "Normal priority",
        "Reply",
        "Send reply",
        "Internal note",
        "Other tickets",
    ],
    "customer": ["Customer #", "Tickets", "Details", "Ways to reach them", "Email address", "Save"],
    "login": ["Sign in", "Username", "Password"],
}


def _address(page: str, ticket: Ticket) -> str:
    return {
        "inbox": "/",
        "ticket": f"/tickets/{ticket.pk}/",
        "customer": f"/customers/{ticket.customer_id}/",
        "login": "/login/",
    }[page]


def _visit(client: Client, agent: User, page: str, ticket: Ticket, accept: str) -> Any:
    if page != "login":
        client.force_login(agent)
    response = client.get(_address(page, ticket), HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    return response


def _words_shown(words: list[str], shown: str) -> list[str]:
    """The words that appear on the page as whole words."""
    return [word for word in words if f" {word} " in f" {shown} "]


# What the browser sends, the words the page must show and the words it must not.
LANGUAGES = {
    "id": ("id-ID,id;q=0.9,en;q=0.5", INDONESIAN, ENGLISH),
    "en": ("en-US,en;q=0.9", ENGLISH, INDONESIAN),
}


@pytest.mark.parametrize("page", sorted(INDONESIAN.keys() | ENGLISH.keys()))
@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_a_browser_gets_the_language_it_asks_for(
    client: Client, agent: User, ticket: Ticket, page: str, language: str
) -> None:
    accept, expected, other = LANGUAGES[language]

    response = _visit(client, agent, page, ticket, accept)

    shown = text(response)
    assert f'<html lang="{language}">' in response.content.decode()
    assert [word for word in expected[page] if word not in shown] == []
    assert _words_shown(other[page], shown) == []


def test_switching_language_changes_the_next_page(client: Client, agent: User) -> None:
    client.force_login(agent)

    to_indonesian = client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    in_indonesian = text(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    to_english = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    in_english = text(client.get("/", HTTP_ACCEPT_LANGUAGE="id"))

    assert (to_indonesian.status_code, to_english.status_code) == (302, 302)
    assert "Kotak masuk" in in_indonesian
    assert "Inbox" not in in_indonesian
    assert "Inbox" in in_english
    assert "Kotak masuk" not in in_english
