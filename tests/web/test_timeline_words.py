from __future__ import annotations

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import Status, Ticket
from sigap.tickets.services import ticket_change_status, ticket_change_team, ticket_receive
from tests.web.pages import text


def test_moves_and_reopenings_are_told_in_words_with_who(
    client: Client, manager: User, ticket: Ticket, team_b: Team
) -> None:
    ticket_change_status(ticket=ticket, by=manager, status=Status.PENDING_CUSTOMER)
    ticket_receive(ticket=ticket, customer=ticket.customer, body="Sudah saya kirim fotonya.")
    ticket_change_team(ticket=ticket, by=manager, team=team_b)
    client.force_login(manager)

    page = text(client.get(f"/tickets/{ticket.pk}/"))

    assert "Agus changed the status from New to Pending customer" in page
    assert f"{ticket.customer.name} wrote" in page
    assert (
        "Sigap changed the status from Pending customer to Open (the customer wrote again)" in page
    )
    assert "Agus moved the ticket to another team from Pelanggan Retail to Korporat" in page


def test_an_sop_step_waived_shows_its_reason(client: Client, agent: User, ticket: Ticket) -> None:
    event_record(
        ticket=ticket,
        kind=EventKind.SOP_STEP_WAIVED,
        at=ticket.created_at,
        by=agent,
        data={"sop": "damaged-product", "step": "photo", "reason": "Dilihat langsung di toko"},
    )
    client.force_login(agent)

    page = text(client.get(f"/tickets/{ticket.pk}/"))

    assert "Sari waived an SOP step photo, because: Dilihat langsung di toko" in page
