"""Attachments through the API: listed on the ticket, downloaded with the same checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sigap.accounts.models import User
from sigap.intake.models import Mailbox
from tests.trust.conftest import only_attachment, ticket_with_files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32


@pytest.fixture
def as_user() -> Callable[[User], Client]:
    from sigap.accounts.services import token_create

    def make(user: User) -> Client:
        token = token_create(user=user, name="test").token
        return Client(headers={"Authorization": f"Bearer {token}"})

    return make


def test_the_ticket_lists_its_files_with_a_download_link(
    as_user: Callable[[User], Client], agent: User, mailbox: Mailbox, settings: Any
) -> None:
    settings.ATTACHMENT_ALLOWED_TYPES = [*settings.ATTACHMENT_ALLOWED_TYPES, "image/svg+xml"]
    ticket = ticket_with_files(
        mailbox, [("foto.png", "image/png", PNG), ("peta.svg", "image/svg+xml", b"<svg/>")]
    )
    api = as_user(agent)

    detail = api.get(f"/api/tickets/{ticket.pk}").json()

    listed = {item["filename"]: item for item in detail["attachments"]}
    assert set(listed) == {"foto.png", "peta.svg"}
    assert listed["foto.png"]["size"] == len(PNG)
    photo = api.get(listed["foto.png"]["url"])
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content) == PNG
    drawing = api.get(listed["peta.svg"]["url"])
    assert drawing["Content-Type"] == "application/octet-stream"
    assert drawing["Content-Disposition"].startswith("attachment;")
    assert drawing["X-Content-Type-Options"] == "nosniff"


def test_another_team_and_no_token_are_refused(
    as_user: Callable[[User], Client], outsider: User, mailbox: Mailbox
) -> None:
    ticket = ticket_with_files(mailbox, [("f.png", "image/png", PNG)])
    url = f"/api/attachments/{only_attachment(ticket).storage_key}"

    foreign = as_user(outsider).get(url)
    anonymous = Client().get(url)

    assert foreign.status_code == 404
    assert foreign["Content-Type"] == "application/problem+json"
    assert anonymous.status_code == 401
