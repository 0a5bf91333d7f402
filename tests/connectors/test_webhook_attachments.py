"""Files a webhook message links to are fetched through the SSRF guard and attached, and a
photo can be the evidence the ticket's SOP asks for."""

from __future__ import annotations

from typing import Any

from django.test import Client

from sigap.accounts.models import User
from sigap.connectors.models import Connector, DeliveryStatus, InboundDelivery
from sigap.core.jobs import run_due_jobs
from sigap.intake.attachments import path_of
from sigap.sops.models import SopVersion, StepStatus
from sigap.sops.services import current_run, sop_step_complete
from sigap.tickets.events import EventKind
from sigap.tickets.models import Attachment, Message, Ticket
from tests.connectors.conftest import message_payload, post_signed
from tests.connectors.fake_servers import Answer, FakeServer

PNG = b"\x89PNG\r\n\x1a\n" + b"bukti-kerusakan" * 50


def _with_attachments(*attachments: dict[str, Any], text: str = "Ini fotonya") -> dict[str, Any]:
    payload = message_payload(text=text)
    payload["message"]["attachments"] = list(attachments)
    return payload


def test_a_linked_photo_is_fetched_and_attached(
    client: Client, webhook: Connector, receiver: FakeServer
) -> None:
    link = {"url": f"{receiver.url}/media/77", "name": "bukti.png", "type": "image/png"}
    post_signed(client, webhook, _with_attachments(link))
    receiver.script = [Answer(200, raw=PNG)]

    assert run_due_jobs() == 1

    message = Message.objects.get()
    assert message.body_text == "Ini fotonya\n[Attachment: bukti.png]"
    attachment = Attachment.objects.get(message=message)
    assert (attachment.filename, attachment.content_type) == ("bukti.png", "image/png")
    assert path_of(attachment).read_bytes() == PNG
    assert [request.path for request in receiver.received] == ["/media/77"]


def test_a_link_into_the_desks_network_is_refused_and_named_on_the_timeline(
    client: Client, webhook: Connector, receiver: FakeServer
) -> None:
    link = {"url": "http://169.254.169.254/latest/meta-data/iam", "name": "kredensial.txt"}
    post_signed(client, webhook, _with_attachments(link))

    run_due_jobs()

    assert not Attachment.objects.exists()
    message = Message.objects.get()
    refused = message.ticket.events.get(kind=EventKind.ATTACHMENT_REFUSED)
    assert refused.data["filename"] == "kredensial.txt"
    assert "a link-local address" in refused.data["reason"]


def test_a_message_with_neither_text_nor_attachments_is_quarantined(
    client: Client, webhook: Connector
) -> None:
    response = post_signed(client, webhook, message_payload(text=""))

    assert response.status_code == 422
    assert "neither text nor attachments" in response.json()["detail"]
    assert InboundDelivery.objects.get().status == DeliveryStatus.QUARANTINED


def test_a_photo_sent_on_social_media_is_the_evidence_the_sop_asks_for(
    client: Client,
    webhook: Connector,
    receiver: FakeServer,
    damaged_product: SopVersion,
    agent: User,
) -> None:
    post_signed(client, webhook, message_payload(message_id="m-1", text="Vas saya datang pecah"))
    run_due_jobs()
    ticket = Ticket.objects.get()
    sop_step_complete(ticket=ticket, step_id="acknowledge", by=agent)
    link = {"url": f"{receiver.url}/media/78", "name": "vas.png", "type": "image/png"}
    photo = _with_attachments(link, text="Ini fotonya")
    photo["message"]["id"] = "m-2"
    post_signed(client, webhook, photo)
    receiver.script = [Answer(200, raw=PNG)]

    run_due_jobs()

    run = current_run(ticket)
    assert run is not None
    evidence = run.steps.get(step_id="ask-evidence")
    assert evidence.status == StepStatus.DONE
    assert evidence.evidence == Attachment.objects.get(filename="vas.png")
