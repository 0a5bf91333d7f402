"""Telegram Bot API: documented Update payloads in, sendMessage out (against a local fake)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from sigap.accounts.models import User
from sigap.connectors.models import Connector, ConnectorMessage, DeliveryStatus, InboundDelivery
from sigap.core.jobs import run_due_jobs
from sigap.tickets.events import EventKind
from sigap.tickets.models import Channel, Message, Ticket
from sigap.tickets.models import DeliveryStatus as MessageStatus
from sigap.tickets.services import ticket_reply
from tests.connectors.conftest import BOT_TOKEN, TELEGRAM_CHAT, post_update
from tests.connectors.fake_servers import Answer, TelegramBotApi, too_many_requests

NOW = "2026-11-23 09:00:00+00:00"
BUDI = {
    "id": TELEGRAM_CHAT,
    "is_bot": False,
    "first_name": "Budi",
    "last_name": "Santoso",
    "username": "budisan",
    "language_code": "en",
}
PRIVATE_CHAT = {
    "id": TELEGRAM_CHAT,
    "first_name": "Budi",
    "last_name": "Santoso",
    "username": "budisan",
    "type": "private",
}


def update(update_id: int, message_id: int, **content: Any) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "from": BUDI,
            "chat": PRIVATE_CHAT,
            "date": 1767225600,  # overridden by content["date"] when given
            **content,
        },
    }


def test_a_text_message_becomes_a_social_ticket_of_the_telegram_user(
    client: Client, telegram: Connector
) -> None:
    response = post_update(client, telegram, update(10000, 1365, text="Pesanan saya belum datang"))

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.SOCIAL
    assert ticket.subject == "Pesanan saya belum datang"
    assert ticket.customer.name == "Budi Santoso"
    assert ticket.customer.language == "en"
    assert ticket.identity is not None
    assert (ticket.identity.network, ticket.identity.value) == ("telegram", str(TELEGRAM_CHAT))
    assert ticket.messages.get().external_id == f"{TELEGRAM_CHAT}:1365"


def test_a_photo_with_a_caption_keeps_the_caption_and_the_largest_photo(
    client: Client, telegram: Connector
) -> None:
    photo = [
        {
            "file_id": "AgACAgIAAxk-small",
            "file_unique_id": "AQADs",
            "file_size": 1234,
            "width": 90,
            "height": 67,
        },
        {
            "file_id": "AgACAgIAAxk-large",
            "file_unique_id": "AQADl",
            "file_size": 54321,
            "width": 1280,
            "height": 960,
        },
    ]

    post_update(client, telegram, update(10001, 1366, photo=photo, caption="Kardusnya penyok"))

    message = Message.objects.get()
    assert message.body_text == "Kardusnya penyok\n[Photo]"
    [file] = ConnectorMessage.objects.get(message=message).files
    assert file["file_id"] == "AgACAgIAAxk-large"
    assert file["size"] == 54321


def test_a_document_without_a_caption_is_named_in_the_message(
    client: Client, telegram: Connector
) -> None:
    document = {
        "file_name": "invoice.pdf",
        "mime_type": "application/pdf",
        "file_id": "BQACAgIAAxkBAAIBZ",
        "file_unique_id": "AgADxx",
        "file_size": 20480,
    }

    post_update(client, telegram, update(10002, 1367, document=document))

    ticket = Ticket.objects.get()
    assert ticket.messages.get().body_text == "[Document: invoice.pdf]"
    assert ticket.subject == "Message from Budi Santoso"


def test_the_next_message_of_the_chat_joins_the_same_ticket(
    client: Client, telegram: Connector
) -> None:
    post_update(client, telegram, update(10003, 1368, text="Halo"))
    post_update(client, telegram, update(10004, 1369, text="Nomor pesanan 4471"))

    assert Ticket.objects.get().message_count == 2


def test_a_repeated_update_is_taken_once(client: Client, telegram: Connector) -> None:
    first = post_update(client, telegram, update(10005, 1370, text="Halo"))
    again = post_update(client, telegram, update(10005, 1370, text="Halo"))

    assert first.status_code == again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert Message.objects.count() == 1


def test_updates_that_are_not_customer_messages_are_acknowledged_and_recorded(
    client: Client, telegram: Connector
) -> None:
    edited = {
        "update_id": 10006,
        "edited_message": {
            "message_id": 1370,
            "from": BUDI,
            "chat": PRIVATE_CHAT,
            "date": 1767225600,
            "edit_date": 1767225660,
            "text": "Halo!",
        },
    }
    from_bot = update(10007, 1371, text="spam")
    from_bot["message"]["from"] = {"id": 42, "is_bot": True, "first_name": "Bot"}

    assert post_update(client, telegram, edited).json()["status"] == "ignored"
    assert post_update(client, telegram, from_bot).json()["status"] == "ignored"

    assert Ticket.objects.count() == 0
    details = list(InboundDelivery.objects.order_by("pk").values_list("status", "detail"))
    assert details == [
        (DeliveryStatus.IGNORED, "An update of type edited_message is not a customer message."),
        (DeliveryStatus.IGNORED, "A message from a bot."),
    ]


def test_a_wrong_secret_token_is_refused(client: Client, telegram: Connector) -> None:
    response = post_update(client, telegram, update(10008, 1372, text="Halo"), secret="salah")

    assert response.status_code == 401
    assert "X-Telegram-Bot-Api-Secret-Token" in response.json()["detail"]
    assert InboundDelivery.objects.count() == 0


def test_an_update_without_update_id_is_quarantined(client: Client, telegram: Connector) -> None:
    response = post_update(client, telegram, {"message": {"text": "Halo"}})

    assert response.status_code == 422
    assert InboundDelivery.objects.get().status == DeliveryStatus.QUARANTINED


def _telegram_ticket(client: Client, telegram: Connector) -> Ticket:
    post_update(client, telegram, update(10010, 1380, text="Kapan dikirim?"))
    return Ticket.objects.get()


def test_a_reply_goes_out_with_send_message(
    client: Client, telegram: Connector, bot_api: TelegramBotApi, agent: User
) -> None:
    ticket = _telegram_ticket(client, telegram)

    reply = ticket_reply(ticket=ticket, by=agent, body="Besok pagi, Pak Budi.")
    run_due_jobs()

    [request] = bot_api.received
    assert request.path == f"/bot{BOT_TOKEN}/sendMessage"
    assert request.json() == {"chat_id": TELEGRAM_CHAT, "text": "Besok pagi, Pak Budi."}
    reply.refresh_from_db()
    assert reply.delivery_status == MessageStatus.SENT
    assert reply.external_id == f"{TELEGRAM_CHAT}:501"


def test_a_429_waits_the_retry_after_telegram_asks_for_then_sends_once(
    client: Client, telegram: Connector, bot_api: TelegramBotApi, agent: User
) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        ticket = _telegram_ticket(client, telegram)
        bot_api.script = [too_many_requests(retry_after=30)]
        reply = ticket_reply(ticket=ticket, by=agent, body="Sedang kami cek.")

        run_due_jobs()
        assert len(bot_api.received) == 1
        # The outbox retries after 5 and 15 seconds: still inside Telegram's 30, so no request.
        traveller.shift(timedelta(seconds=5))
        run_due_jobs()
        traveller.shift(timedelta(seconds=10))
        run_due_jobs()
        assert len(bot_api.received) == 1
        traveller.shift(timedelta(seconds=20))
        run_due_jobs()
        traveller.shift(timedelta(minutes=10))
        run_due_jobs()

    assert len(bot_api.received) == 2
    reply.refresh_from_db()
    assert reply.delivery_status == MessageStatus.SENT


def test_a_server_error_is_retried_and_a_missing_chat_is_given_up(
    client: Client, telegram: Connector, bot_api: TelegramBotApi, agent: User
) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        ticket = _telegram_ticket(client, telegram)
        bot_api.script = [
            Answer(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}),
            Answer(
                400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            ),
        ]
        reply = ticket_reply(ticket=ticket, by=agent, body="Halo")
        for _attempt in range(4):
            run_due_jobs()
            traveller.shift(timedelta(minutes=5))

    assert len(bot_api.received) == 2
    reply.refresh_from_db()
    assert reply.delivery_status == MessageStatus.FAILED
    reason = ticket.events.get(kind=EventKind.DELIVERY_FAILED).data["reason"]
    assert reason == "Telegram refused the message (400): Bad Request: chat not found"


def test_a_long_reply_goes_out_in_parts_and_a_retry_sends_only_the_rest(
    client: Client, telegram: Connector, bot_api: TelegramBotApi, agent: User
) -> None:
    first = "Langkah pengembalian barang: " + "kemas barang dengan rapi. " * 150
    second = "Setelah itu: " + "kirim ke gudang kami di Bekasi. " * 100
    with time_machine.travel(NOW, tick=False) as traveller:
        ticket = _telegram_ticket(client, telegram)
        bot_api.script = [
            Answer(200, {"ok": True, "result": {"message_id": 901}}),
            Answer(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}),
        ]
        reply = ticket_reply(ticket=ticket, by=agent, body=f"{first.strip()}\n\n{second.strip()}")
        for _attempt in range(3):
            run_due_jobs()
            traveller.shift(timedelta(minutes=5))

    texts = [request.json()["text"] for request in bot_api.received]
    assert texts == [first.strip(), second.strip(), second.strip()]
    assert all(len(text) <= 4096 for text in texts)
    reply.refresh_from_db()
    assert reply.delivery_status == MessageStatus.SENT
    assert reply.external_id == f"{TELEGRAM_CHAT}:901"


def test_a_shared_location_contact_or_sticker_is_readable_on_the_ticket(
    client: Client, telegram: Connector
) -> None:
    contact = {"phone_number": "+6281234567890", "first_name": "Rina", "user_id": 55}
    location = {"latitude": -6.2, "longitude": 106.816666}

    post_update(client, telegram, update(10020, 1390, location=location))
    post_update(client, telegram, update(10021, 1391, contact=contact))
    post_update(client, telegram, update(10022, 1392, sticker={"emoji": "👍", "file_id": "x"}))
    poll = update(10023, 1393, poll={"id": "1", "question": "?", "options": []})
    assert post_update(client, telegram, poll).json()["status"] == "ignored"

    assert list(Message.objects.order_by("pk").values_list("body_text", flat=True)) == [
        "[Location: -6.2, 106.816666]",
        "[Contact: Rina +6281234567890]",
        "[Sticker 👍]",
    ]


def test_the_bot_token_never_reaches_the_log(
    client: Client,
    telegram: Connector,
    bot_api: TelegramBotApi,
    agent: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    ticket = _telegram_ticket(client, telegram)
    bot_api.script = [Answer(500, {"ok": False, "error_code": 500, "description": "oops"})]

    ticket_reply(ticket=ticket, by=agent, body="Halo")
    run_due_jobs()

    assert len(bot_api.received) == 1
    assert BOT_TOKEN not in caplog.text


def test_starting_the_bot_makes_no_ticket(client: Client, telegram: Connector) -> None:
    response = post_update(client, telegram, update(10030, 1395, text="/start"))

    assert response.json()["status"] == "ignored"
    assert Ticket.objects.count() == 0


def test_sharing_ones_own_contact_adds_the_phone_number_to_the_customer(
    client: Client, telegram: Connector
) -> None:
    own = {"phone_number": "081234567890", "first_name": "Budi", "user_id": TELEGRAM_CHAT}
    someone_else = {"phone_number": "+6289876543210", "first_name": "Rina", "user_id": 55}

    post_update(client, telegram, update(10031, 1396, contact=own))
    post_update(client, telegram, update(10032, 1397, contact=someone_else))

    customer = Ticket.objects.get().customer
    phones = list(customer.identities.filter(kind="phone").values_list("value", flat=True))
    assert phones == ["+6281234567890"]


def test_a_shared_number_owned_by_another_customer_does_not_stop_the_message(
    client: Client, telegram: Connector
) -> None:
    from tests.factories import make_customer

    make_customer("Budi lain", phone="+6281234567890")
    own = {"phone_number": "081234567890", "first_name": "Budi", "user_id": TELEGRAM_CHAT}

    response = post_update(client, telegram, update(10033, 1398, contact=own))

    assert response.json()["status"] == "accepted"
    assert not Ticket.objects.get().customer.identities.filter(kind="phone").exists()
