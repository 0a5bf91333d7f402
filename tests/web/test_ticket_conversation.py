from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from sigap.accounts.models import User
from sigap.tickets.models import Direction, Status, Ticket
from sigap.tickets.services import ticket_change_status
from tests import factories
from tests.web.pages import errors, text


def test_the_ticket_page_shows_the_conversation_and_the_customer(
    client: Client, agent: User, team_a: object
) -> None:
    customer = factories.make_customer("Wati Susanto", email="wati@mail.example")
    ticket = factories.make_ticket(team=team_a, customer=customer)  # type: ignore[arg-type]
    client.force_login(agent)

    page = text(client.get(f"/tickets/{ticket.pk}/"))

    assert f"{ticket.reference} Barang rusak saat diterima" in page
    assert "Wati Susanto created the ticket by Email" in page
    assert "Paket saya datang dalam keadaan pecah." in page
    assert "wati@mail.example" in page


def test_a_reply_appears_on_the_timeline_and_can_set_the_status(
    client: Client, agent: User, ticket: Ticket
) -> None:
    client.force_login(agent)

    response = client.post(
        f"/tickets/{ticket.pk}/reply/",
        {"body": "Mohon maaf, kami kirim pengganti.", "status": "pending_customer"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    page = text(client.get(response["Location"]))
    assert "Your reply was sent." in page
    assert "Sari replied" in page
    assert "Mohon maaf, kami kirim pengganti." in page
    assert "Sari changed the status from New to Pending customer" in page
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CUSTOMER


def test_an_internal_note_is_marked_as_such(client: Client, agent: User, ticket: Ticket) -> None:
    client.force_login(agent)

    response = client.post(f"/tickets/{ticket.pk}/note/", {"body": "Cek foto di lampiran."})

    assert response.status_code == 302
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'class="entry entry-note"' in page
    assert "Internal note — not sent to the customer" in page
    assert "Cek foto di lampiran." in page
    assert ticket.messages.filter(direction=Direction.NOTE).count() == 1


def test_a_reply_to_a_closed_ticket_is_refused_and_nothing_is_added(
    client: Client, agent: User, ticket: Ticket
) -> None:
    ticket_change_status(ticket=ticket, by=agent, status=Status.CLOSED)
    events_before = ticket.events.count()
    client.force_login(agent)

    response = client.post(f"/tickets/{ticket.pk}/reply/", {"body": "Halo?", "status": ""})

    assert response.status_code == 409
    assert errors(response) == ["This ticket is closed and cannot be answered."]
    assert ticket.events.count() == events_before
    assert ticket.messages.count() == 1
    assert "Halo?" in response.content.decode()  # kept in the form, not lost


def test_an_empty_reply_is_refused_with_status_400(
    client: Client, agent: User, ticket: Ticket
) -> None:
    client.force_login(agent)

    response = client.post(f"/tickets/{ticket.pk}/reply/", {"body": "", "status": ""})

    assert response.status_code == 400
    assert errors(response) == ["This field is required."]
    assert ticket.messages.count() == 1


def test_a_reply_the_database_could_not_take_is_kept_in_the_form_to_send_again(
    client: Client, agent: User, ticket: Ticket, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(**kwargs: object) -> None:
        # SQLite under a burst of writers: the write waited out its busy timeout.
        raise OperationalError("database is locked")

    monkeypatch.setattr("sigap.web.views.tickets.ticket_reply", locked)
    client.force_login(agent)

    response = client.post(f"/tickets/{ticket.pk}/reply/", {"body": "Kami cek dulu.", "status": ""})

    assert response.status_code == 503
    assert errors(response) == [
        "The desk could not save this just now; nothing was changed. Please send it again."
    ]
    assert "Kami cek dulu." in response.content.decode()  # kept in the form, not lost
    assert ticket.messages.count() == 1
