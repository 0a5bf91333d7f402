"""Data for the trust tests, made through the product's own intake and services."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from sigap.accounts.models import Team
from sigap.intake.models import Mailbox
from sigap.intake.services import email_ingest
from sigap.sops.models import SopVersion
from sigap.tickets.models import Attachment, Ticket
from tests.trust.outsider_desk import Desk, build_desk


@pytest.fixture(autouse=True)
def attachments_dir(settings: Any, tmp_path: Path) -> Path:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return Path(settings.ATTACHMENTS_DIR)


@pytest.fixture
def mailbox(team_a: Team) -> Mailbox:
    return Mailbox.objects.create(name="cs", team=team_a)


def mail_with_files(
    files: list[tuple[str, str, bytes]],
    *,
    sender: str = "ani@pelanggan.example",
    subject: str = "Bukti pembayaran",
    body: str = "Terlampir berkasnya.",
    message_id: str | None = None,
) -> bytes:
    """A customer's mail carrying `files` as (file name, content type, bytes)."""
    mail = EmailMessage()
    mail["From"] = f"Ani <{sender}>"
    mail["To"] = "cs@toko.example"
    mail["Subject"] = subject
    if message_id:
        mail["Message-ID"] = message_id
    mail.set_content(body)
    for filename, content_type, payload in files:
        maintype, subtype = content_type.split("/", 1)
        # RFC 2231 encoding carries any character, line breaks included, as a real client may.
        mail.add_attachment(
            payload, maintype=maintype, subtype=subtype, filename=("utf-8", "", filename)
        )
    return bytes(mail)


def ticket_with_files(mailbox: Mailbox, files: list[tuple[str, str, bytes]]) -> Ticket:
    inbound = email_ingest(raw=mail_with_files(files), mailbox=mailbox)
    assert inbound.ticket is not None, inbound.detail
    return inbound.ticket


def only_attachment(ticket: Ticket) -> Attachment:
    return Attachment.objects.get(message__ticket=ticket)


@pytest.fixture
def desk(damaged_product: SopVersion) -> Desk:
    """Two teams, team A's objects, and the people who must not reach them."""
    return build_desk(damaged_product)
