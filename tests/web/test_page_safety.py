from __future__ import annotations

import re

import pytest
from django.test import Client

from sigap.accounts.models import User
from sigap.tickets.models import Ticket

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=|<style", re.I)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/inbox/list/",
        "/tickets/{ticket}/",
        "/tickets/new/contact/",
        "/customers/",
        "/customers/{customer}/",
        "/sops/",
        "/approvals/",
        "/promises/",
    ],
)
def test_pages_carry_no_inline_script_or_style_and_send_the_policy(
    client: Client, agent: User, ticket: Ticket, path: str
) -> None:
    client.force_login(agent)

    response = client.get(path.format(ticket=ticket.pk, customer=ticket.customer_id))
    page = response.content.decode()

    assert response.status_code == 200
    assert "script-src 'self';" in response["Content-Security-Policy"]
    assert INLINE_SCRIPT.findall(page) == []
    assert INLINE_HANDLER.findall(page) == []
    assert INLINE_STYLE.findall(page) == []


def test_the_sign_in_page_is_just_as_strict(client: Client) -> None:
    page = client.get("/login/").content.decode()

    assert INLINE_SCRIPT.findall(page) == []
    assert INLINE_STYLE.findall(page) == []


@pytest.mark.parametrize(
    "asset",
    ["web/vendor/htmx.min.js", "web/desk.js", "web/inbox-live.js", "web/desk.css"],
)
def test_our_own_copies_of_scripts_and_styles_are_served(client: Client, asset: str) -> None:
    response = client.get(f"/static/{asset}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content)  # type: ignore[attr-defined]
