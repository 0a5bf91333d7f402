from __future__ import annotations

import pytest

from sigap.accounts.models import Team, User
from sigap.core.errors import InvalidInput, NotAllowed
from sigap.core.models import Job
from sigap.tickets.models import Channel, DeliveryStatus, Status
from sigap.tickets.services import ticket_log_contact, ticket_reply
from tests.factories import make_customer


def test_phone_call_becomes_an_answered_ticket_of_the_agent(agent: User, team_a: Team) -> None:
    customer = make_customer("Ibu Wulan", phone="0812-3456-7890")

    ticket = ticket_log_contact(
        by=agent,
        customer=customer,
        channel=Channel.PHONE,
        subject="Tanya status pengiriman",
        summary="Pelanggan menanyakan paket yang belum sampai.",
        team=team_a,
    )

    assert ticket.channel == Channel.PHONE
    assert ticket.assignee == agent
    assert ticket.first_response_at == ticket.created_at
    event = ticket.events.get(kind="contact_logged")
    assert event.actor_user == agent
    assert event.message is not None
    assert event.message.body_text.startswith("Pelanggan menanyakan")


def test_walk_in_resolved_on_the_spot(agent: User, team_a: Team) -> None:
    ticket = ticket_log_contact(
        by=agent,
        customer=make_customer(),
        channel=Channel.WALK_IN,
        subject="Tukar ukuran sepatu",
        summary="Ditukar langsung di toko.",
        team=team_a,
        resolved_on_the_spot=True,
    )

    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_reply_on_a_phone_ticket_is_recorded_not_sent(agent: User, team_a: Team) -> None:
    ticket = ticket_log_contact(
        by=agent,
        customer=make_customer(),
        channel=Channel.PHONE,
        subject="Komplain",
        summary="Barang rusak.",
        team=team_a,
    )

    message = ticket_reply(ticket=ticket, by=agent, body="Sudah saya jelaskan di telepon.")

    assert message.delivery_status == DeliveryStatus.IN_PERSON
    assert not Job.objects.exists()


def test_email_cannot_be_logged_by_hand(agent: User, team_a: Team) -> None:
    with pytest.raises(InvalidInput) as error:
        ticket_log_contact(
            by=agent,
            customer=make_customer(),
            channel=Channel.EMAIL,
            subject="x",
            summary="y",
            team=team_a,
        )
    assert error.value.field == "channel"


def test_agent_cannot_log_a_contact_for_another_team(agent: User, team_b: Team) -> None:
    with pytest.raises(NotAllowed):
        ticket_log_contact(
            by=agent,
            customer=make_customer(),
            channel=Channel.PHONE,
            subject="x",
            summary="y",
            team=team_b,
        )
