from __future__ import annotations

from sigap.accounts.models import Team
from sigap.tickets.services import ticket_open, ticket_receive
from tests.factories import make_customer, make_ticket

HOSTILE = (
    '<p onclick="steal()">Halo <b>kak</b></p><script>alert(1)</script>'
    '<img src="https://tracker.example/p.gif" onerror="x()">'
    '<a href="javascript:alert(1)">klik</a><style>body{display:none}</style>'
)


def test_html_from_a_customer_is_stored_without_anything_that_runs(team_a: Team) -> None:
    customer = make_customer()
    ticket = ticket_open(
        customer=customer,
        channel="email",
        subject="Halo",
        body="Halo kak",
        body_html=HOSTILE,
        team=team_a,
    )

    stored = ticket.messages.get().body_html or ""
    assert "<b>kak</b>" in stored
    for dangerous in ("<script", "onclick", "onerror", "javascript:", "<style", "tracker.example"):
        assert dangerous not in stored


def test_a_later_message_is_sanitised_too(team_a: Team) -> None:
    ticket = make_ticket(team=team_a)

    message = ticket_receive(ticket=ticket, customer=ticket.customer, body="x", body_html=HOSTILE)

    assert "<script" not in (message.body_html or "")
    assert "Halo" in (message.body_html or "")
