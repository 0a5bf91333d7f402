"""Photos and documents sent to the bot are fetched with getFile and kept on the message."""

from __future__ import annotations

from typing import Any

from django.test import Client

from sigap.connectors.models import Connector
from sigap.core.jobs import run_due_jobs
from sigap.intake.attachments import path_of
from sigap.tickets.events import EventKind
from sigap.tickets.models import Attachment, Message
from tests.connectors.conftest import BOT_TOKEN, post_update
from tests.connectors.fake_servers import TelegramBotApi
from tests.connectors.test_telegram import update

JPEG = b"\xff\xd8\xff\xe0" + b"foto-kardus-penyok" * 100


def test_the_largest_photo_is_downloaded_and_attached(
    client: Client, telegram: Connector, bot_api: TelegramBotApi
) -> None:
    bot_api.files["AgAC-large"] = ("photos/file_7.jpg", JPEG)
    photo = [
        {"file_id": "AgAC-small", "file_unique_id": "s", "width": 90, "height": 67},
        {"file_id": "AgAC-large", "file_unique_id": "l", "width": 1280, "height": 960},
    ]
    post_update(client, telegram, update(20001, 1400, photo=photo, caption="Kardusnya penyok"))

    assert run_due_jobs() == 1

    attachment = Attachment.objects.get()
    assert attachment.message == Message.objects.get()
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "photo.jpg",
        "image/jpeg",
        len(JPEG),
    )
    assert path_of(attachment).read_bytes() == JPEG
    paths = [request.path for request in bot_api.received]
    assert paths == [f"/bot{BOT_TOKEN}/getFile", f"/file/bot{BOT_TOKEN}/photos/file_7.jpg"]
    assert run_due_jobs() == 0


def test_a_document_too_large_is_not_downloaded_and_is_named_on_the_timeline(
    client: Client, telegram: Connector, bot_api: TelegramBotApi, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1000
    document = {
        "file_name": "katalog.pdf",
        "mime_type": "application/pdf",
        "file_id": "BQAC-big",
        "file_unique_id": "b",
        "file_size": 5_000_000,
    }
    post_update(client, telegram, update(20002, 1401, document=document))

    run_due_jobs()

    assert bot_api.received == []
    assert not Attachment.objects.exists()
    refused = Message.objects.get().ticket.events.get(kind=EventKind.ATTACHMENT_REFUSED)
    assert refused.data == {"filename": "katalog.pdf", "reason": "larger than 1000\xa0bytes"}


def test_a_file_telegram_no_longer_has_is_named_on_the_timeline(
    client: Client, telegram: Connector, bot_api: TelegramBotApi
) -> None:
    document = {"file_name": "nota.pdf", "mime_type": "application/pdf", "file_id": "BQAC-gone"}
    post_update(client, telegram, update(20003, 1402, document=document, caption="Nota"))

    run_due_jobs()

    refused = Message.objects.get().ticket.events.get(kind=EventKind.ATTACHMENT_REFUSED)
    assert refused.data["filename"] == "nota.pdf"
    assert "invalid file_id" in refused.data["reason"]
