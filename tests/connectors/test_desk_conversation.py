"""From a Telegram chat to the agent's ticket page and back, through the desk's own pages."""

from __future__ import annotations

from django.test import Client

from sigap.accounts.models import User
from sigap.connectors.models import Connector
from sigap.core.jobs import run_due_jobs
from sigap.tickets.models import Ticket
from tests.conftest import login
from tests.connectors.conftest import TELEGRAM_CHAT, post_update
from tests.connectors.fake_servers import TelegramBotApi
from tests.connectors.test_telegram import update
from tests.web.pages import text


def test_an_agent_answers_a_telegram_customer_from_the_ticket_page(
    client: Client, telegram: Connector, bot_api: TelegramBotApi, agent: User
) -> None:
    customer = Client()
    post_update(customer, telegram, update(30001, 1500, text="Apakah ukuran XL masih ada?"))
    ticket = Ticket.objects.get()
    login(client, agent)

    page = text(client.get(f"/tickets/{ticket.pk}/"))
    assert "Apakah ukuran XL masih ada?" in page
    assert "Budi Santoso" in page
    assert "Social media" in page

    response = client.post(
        f"/tickets/{ticket.pk}/reply/", {"body": "Masih ada, Kak Budi.", "status": ""}
    )
    assert response.status_code == 302
    run_due_jobs()

    [request] = bot_api.received
    assert request.json() == {"chat_id": TELEGRAM_CHAT, "text": "Masih ada, Kak Budi."}
    page = text(client.get(f"/tickets/{ticket.pk}/"))
    assert "Masih ada, Kak Budi." in page


def test_a_name_and_text_with_markup_are_shown_as_text(
    client: Client, telegram: Connector, agent: User
) -> None:
    hostile = update(30002, 1501, text="<script>alert('pesan')</script>")
    hostile["message"]["from"] = {
        "id": 424242,
        "is_bot": False,
        "first_name": "<img src=x onerror=alert(1)>",
    }
    post_update(Client(), telegram, hostile)
    ticket = Ticket.objects.get()
    login(client, agent)

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert "<img src=x onerror=alert(1)>" not in page
    assert "<script>alert('pesan')</script>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
