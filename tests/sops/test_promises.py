from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from sigap.accounts.models import Team, User
from sigap.core.errors import Conflict
from sigap.sops.commitments import open_promises_of, promise_keep
from sigap.tickets.services import ticket_reply
from tests.factories import make_ticket

NOW = "2026-11-02 10:00:00+07:00"


@time_machine.travel(NOW, tick=False)
def test_a_promise_in_a_reply_is_tracked_until_kept(agent: User, team_a: Team) -> None:
    ticket = make_ticket(team=team_a)

    message = ticket_reply(
        ticket=ticket, by=agent, body="Barang pengganti kami kirim dalam 2x24 jam."
    )

    [promise] = open_promises_of(agent)
    assert promise.phrase == "2x24 jam"
    assert promise.due_at == message.created_at + timedelta(days=2)
    made = ticket.events.get(kind="promise_made")
    assert made.data["message"] == message.pk
    assert ticket.events.filter(message=message).count() == 1  # the reply shows once

    promise_keep(ticket=ticket, promise_id=promise.pk, by=agent)

    assert list(open_promises_of(agent)) == []
    kept = ticket.events.get(kind="promise_kept")
    assert kept.data["late"] is False
    with pytest.raises(Conflict):
        promise_keep(ticket=ticket, promise_id=promise.pk, by=agent)


def test_a_promise_kept_after_its_time_is_recorded_late(agent: User, team_a: Team) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        ticket = make_ticket(team=team_a)
        ticket_reply(ticket=ticket, by=agent, body="We will call you back within 2 hours.")
        [promise] = open_promises_of(agent)
        traveller.shift(timedelta(hours=3))
        promise_keep(ticket=ticket, promise_id=promise.pk, by=agent)

    assert ticket.events.get(kind="promise_kept").data["late"] is True


def test_the_agents_list_and_the_ticket_show_open_promises(
    client: Client, agent: User, outsider: User, team_a: Team
) -> None:
    ticket = make_ticket(team=team_a)
    ticket_reply(ticket=ticket, by=agent, body="Refund diproses dalam 24 jam.")
    client.force_login(agent)

    listing = client.get("/promises/").content.decode()
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    [promise] = open_promises_of(agent)
    kept = client.post(f"/tickets/{ticket.pk}/promises/{promise.pk}/kept/", {"next": "promises"})

    assert "“dalam 24 jam”" in listing
    assert ticket.reference in listing
    assert "Promises to the customer" in page
    assert kept.status_code == 302
    assert "No open promises." in client.get("/promises/").content.decode()
    client.force_login(outsider)
    assert client.post(f"/tickets/{ticket.pk}/promises/{promise.pk}/kept/").status_code == 404
