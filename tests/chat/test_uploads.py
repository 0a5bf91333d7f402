"""A visitor sends a file through the widget: kept within the mail attachment rules, and only
with their own token from an allowed site; a photo can be the evidence the ticket's SOP asks
for."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sigap.accounts.models import User
from sigap.chat.models import ChatWidget
from sigap.chat.services import chat_message_receive, visitor_identify
from sigap.sops.models import SopVersion, StepStatus
from sigap.sops.services import current_run, sop_step_complete
from sigap.tickets.models import Attachment, Ticket
from tests.chat.conftest import ADDRESS, SHOP

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def _token(widget: ChatWidget) -> str:
    _visitor, token = visitor_identify(widget=widget, token=None, language="en")
    assert token is not None
    return token


def _upload(token: str, file: SimpleUploadedFile, origin: str = SHOP) -> Any:
    return Client().post(
        "/chat/toko/upload/?language=en",
        {"token": token, "file": file},
        HTTP_ORIGIN=origin,
    )


def test_a_photo_joins_the_visitors_conversation(widget: ChatWidget) -> None:
    token = _token(widget)

    response = _upload(token, SimpleUploadedFile("kulkas.png", PNG, content_type="image/png"))

    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert response.json()["message"]["attachments"] == [{"name": "kulkas.png", "size": len(PNG)}]
    ticket = Ticket.objects.get()
    attachment = Attachment.objects.get()
    assert attachment.message.ticket == ticket
    assert attachment.content_type == "image/png"
    assert ticket.messages.get().body_text == "📎 kulkas.png"


def test_an_active_or_oversized_file_is_refused_with_the_reason(
    widget: ChatWidget, settings: Any
) -> None:
    token = _token(widget)
    settings.ATTACHMENT_MAX_BYTES = 1000

    page = _upload(token, SimpleUploadedFile("a.html", b"<script>1</script>", "text/html"))
    big = _upload(token, SimpleUploadedFile("b.png", PNG + b"\0" * 1200, "image/png"))

    assert page.status_code == 400
    assert (
        page.json()["message"]
        == "a.html was not accepted: files of type text/html are not accepted."
    )
    assert big.status_code == 400
    assert "larger than" in big.json()["message"]
    assert not Attachment.objects.exists()
    assert not Ticket.objects.exists()


def test_a_wrong_token_or_another_site_is_refused(widget: ChatWidget) -> None:
    token = _token(widget)
    photo = SimpleUploadedFile("x.png", PNG, content_type="image/png")

    guessed = _upload("A" * 43, photo)
    foreign = _upload(token, photo, origin="http://evil.example")

    assert guessed.status_code == 404
    assert guessed.json()["message"] == "Start the chat before sending a file."
    assert foreign.status_code == 404
    assert "Access-Control-Allow-Origin" not in foreign
    assert not Attachment.objects.exists()


def test_an_upload_flood_gets_429_with_retry_after(widget: ChatWidget, settings: Any) -> None:
    settings.CHAT_UPLOADS_PER_VISITOR_PER_MINUTE = 2
    token = _token(widget)

    answers = [
        _upload(token, SimpleUploadedFile(f"{n}.png", PNG, content_type="image/png")).status_code
        for n in range(3)
    ]
    refused = _upload(token, SimpleUploadedFile("last.png", PNG, content_type="image/png"))

    assert answers == [201, 201, 429]
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "rate_limited"
    assert Attachment.objects.count() == 2


def test_the_visitors_messages_and_uploads_share_one_conversation(widget: ChatWidget) -> None:
    visitor, token = visitor_identify(widget=widget, token=None, language="en")
    assert token is not None
    chat_message_receive(visitor=visitor, body="Ini fotonya.", address="127.0.0.1")

    _upload(token, SimpleUploadedFile("foto.png", PNG, content_type="image/png"))

    assert Ticket.objects.get().message_count == 2


def test_a_photo_sent_in_the_chat_is_the_evidence_the_sop_asks_for(
    widget: ChatWidget, damaged_product: SopVersion, agent: User
) -> None:
    visitor, token = visitor_identify(widget=widget, token=None, language="id")
    assert token is not None
    chat_message_receive(visitor=visitor, body="Vas saya datang pecah", address=ADDRESS)
    ticket = Ticket.objects.get()
    sop_step_complete(ticket=ticket, step_id="acknowledge", by=agent)

    response = _upload(token, SimpleUploadedFile("vas.png", PNG, content_type="image/png"))

    assert response.status_code == 201
    run = current_run(ticket)
    assert run is not None
    evidence = run.steps.get(step_id="ask-evidence")
    assert evidence.status == StepStatus.DONE
    assert evidence.evidence == Attachment.objects.get()
