"""Files customers send are kept under random names; dangerous or huge ones are refused."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sigap.intake.attachments import path_of
from sigap.intake.models import InboundStatus, Mailbox
from sigap.intake.services import email_ingest
from sigap.tickets.models import Attachment
from tests.intake.conftest import eml


def test_a_photo_is_stored_with_its_size_and_type(mailbox: Mailbox, attachments_dir: Path) -> None:
    inbound = email_ingest(raw=eml("photo-attachment.eml"), mailbox=mailbox)

    assert inbound.status == InboundStatus.TICKET_CREATED
    attachment = Attachment.objects.get()
    assert attachment.message == inbound.ticket_message
    # The sender's path is dropped: a file name is a label, never a place on our disk.
    assert attachment.filename == "foto paket.jpg"
    assert attachment.content_type == "image/jpeg"
    stored = path_of(attachment)
    assert stored.parent.parent == attachments_dir
    assert len(attachment.storage_key) == 48
    assert "foto" not in str(stored)
    content = stored.read_bytes()
    assert content.startswith(b"\xff\xd8\xff")
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.stat().st_mode & 0o077 == 0


def test_forbidden_and_oversized_files_are_refused_and_the_mail_still_arrives(
    mailbox: Mailbox, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1000

    inbound = email_ingest(raw=eml("forbidden-attachments.eml"), mailbox=mailbox)

    assert inbound.status == InboundStatus.TICKET_CREATED
    assert inbound.ticket is not None
    assert "Terlampir bukti transfer" in inbound.ticket.messages.get().body_text
    assert not Attachment.objects.exists()
    refused = {
        event.data["filename"]: event.data["reason"]
        for event in inbound.ticket.events.filter(kind="attachment_refused")
    }
    assert refused == {
        "bukti.exe": "files of type application/x-msdownload are not accepted",
        "struk.html": "files named like struk.html are not accepted",
        "transfer.pdf": "larger than 1000\xa0bytes",
    }
    assert "bukti.exe" in inbound.detail


def test_an_allowed_pdf_within_the_limit_is_kept(mailbox: Mailbox) -> None:
    inbound = email_ingest(raw=eml("forbidden-attachments.eml"), mailbox=mailbox)

    assert list(Attachment.objects.values_list("filename", "content_type")) == [
        ("transfer.pdf", "application/pdf")
    ]
    assert inbound.ticket is not None
    assert inbound.ticket.events.filter(kind="attachment_refused").count() == 2
