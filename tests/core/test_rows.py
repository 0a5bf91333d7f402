"""The fast inserts store exactly what the ORM would, and only for models nothing listens to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_save

from sigap.core.rows import (
    insert_instances,
    insert_one,
    insert_values,
    select_by_pk,
    select_where,
)
from sigap.customers.models import Customer, CustomerIdentity
from sigap.intake.models import InboundEmail, InboundStatus
from sigap.sla.models import Timer, TimerKind, TimerState
from sigap.sops.models import SopRun, StepState
from sigap.tickets.models import Message, Ticket, TicketEvent
from tests.factories import make_customer, make_team, make_ticket

pytestmark = pytest.mark.django_db

AT = datetime(2026, 10, 7, 9, 30, 15, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    "model",
    [
        Ticket,
        Message,
        TicketEvent,
        SopRun,
        StepState,
        Timer,
        Customer,
        CustomerIdentity,
        InboundEmail,
    ],
)
def test_models_written_this_way_have_no_save_signal_listeners(model: type) -> None:
    # insert_* send no signals: a listener added later would silently miss these rows.
    assert not pre_save.has_listeners(model)
    assert not post_save.has_listeners(model)


def test_one_row_reads_back_as_saved_with_its_key() -> None:
    customer = make_customer("Sari")
    team = make_team("Toko")
    ticket = insert_one(
        Ticket(
            subject="Vas pecah — “rusak”",
            customer=customer,
            channel="email",
            team=team,
            language="id",
            created_at=AT,
            updated_at=AT,
            message_count=1,
        )
    )
    assert ticket.pk is not None
    assert not ticket._state.adding
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.subject == "Vas pecah — “rusak”"
    assert (stored.customer_id, stored.team_id, stored.assignee_id) == (customer.pk, team.pk, None)
    assert stored.created_at == AT
    # Field defaults the caller left out are stored as save() would store them.
    assert (stored.status, stored.priority, stored.message_count) == ("new", "normal", 1)

    event = insert_one(
        TicketEvent(ticket=ticket, kind="note", data={"a": [1, "dua", None]}, created_at=AT)
    )
    assert TicketEvent.objects.get(pk=event.pk).data == {"a": [1, "dua", None]}
    assert event.pk != insert_one(TicketEvent(ticket=ticket, kind="note", created_at=AT)).pk


def test_many_rows_and_plain_values_go_in_as_given() -> None:
    ticket = make_ticket(team=None)
    due = AT + timedelta(hours=1)
    insert_instances(
        [
            Timer(
                ticket=ticket,
                kind=kind,
                state=TimerState.MET,
                target_seconds=3600,
                warn_percent=80,
                started_at=AT,
                due_at=due,
                fire_at=due,
            )
            for kind in (TimerKind.FIRST_RESPONSE, TimerKind.RESOLUTION)
        ]
    )
    timers = Timer.objects.filter(ticket=ticket, state=TimerState.MET).order_by("kind")
    assert [(t.kind, t.due_at, t.is_business_time) for t in timers] == [
        ("first_response", due, False),
        ("resolution", due, False),
    ]
    insert_instances([])  # nothing to write is not an error

    insert_values(
        Message,
        [
            "ticket",
            "direction",
            "channel",
            "body_text",
            "delivery_status",
            "external_id",
            "created_at",
        ],
        [(ticket.pk, "in", "chat", "Halo", "received", "", AT)],
    )
    message = Message.objects.filter(ticket=ticket, body_text="Halo").get()
    assert (message.created_at, message.body_html, message.author_user_id) == (AT, None, None)


def test_a_batch_bigger_than_one_statement_goes_in_whole() -> None:
    ticket = make_ticket(team=None)
    names = ["ticket", "direction", "channel", "body_text", "delivery_status", "external_id"]
    insert_values(
        Message,
        [*names, "created_at"],
        [(ticket.pk, "in", "chat", f"pesan {i}", "received", f"m{i}", AT) for i in range(250)],
    )
    stored = set(Message.objects.filter(ticket=ticket).values_list("external_id", flat=True))
    assert {f"m{i}" for i in range(250)} <= stored


def _stored(instance: Model) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_rows_looked_up_read_back_as_the_orm_reads_them() -> None:
    customer = make_customer("Sari")
    ticket = make_ticket(team=None, customer=customer)
    event = insert_one(
        TicketEvent(ticket=ticket, kind="note", data={"a": [1, "dua", None]}, created_at=AT)
    )
    inbound = insert_one(
        InboundEmail(
            message_id="<a@b>",
            raw=b"Subject: x\r\n\r\n\xff",
            size=15,
            received_at=AT,
            status=InboundStatus.TICKET_CREATED,
            ticket=ticket,
        )
    )
    for model, pk in ((Ticket, ticket.pk), (TicketEvent, event.pk), (InboundEmail, inbound.pk)):
        [found] = select_where(model, '"id" = %s', [pk])
        expected = model.objects.get(pk=pk)
        assert not found._state.adding
        assert _stored(found) == _stored(expected)
    assert bytes(select_where(InboundEmail, '"id" = %s', [inbound.pk])[0].raw).endswith(b"\xff")
    assert select_where(TicketEvent, '"id" = %s', [event.pk])[0].data == {"a": [1, "dua", None]}


def test_a_lookup_finds_nothing_or_as_many_as_asked() -> None:
    ticket = make_ticket(team=None)
    for kind in ("note", "note", "note"):
        insert_one(TicketEvent(ticket=ticket, kind=kind, created_at=AT))
    assert select_where(TicketEvent, '"ticket_id" = %s', [ticket.pk + 1000]) == []
    assert len(select_where(TicketEvent, '"ticket_id" = %s', [ticket.pk], limit=2)) == 2
    with transaction.atomic():
        [locked] = select_where(Ticket, '"id" = %s', [ticket.pk], for_update=True)
    assert locked.pk == ticket.pk


def test_a_row_by_its_key_is_the_one_the_orm_gets_or_does_not_exist() -> None:
    ticket = make_ticket(team=None)
    assert _stored(select_by_pk(Ticket, ticket.pk)) == _stored(Ticket.objects.get(pk=ticket.pk))
    with transaction.atomic():
        assert select_by_pk(Ticket, ticket.pk, for_update=True).pk == ticket.pk
    with pytest.raises(Ticket.DoesNotExist):
        select_by_pk(Ticket, ticket.pk + 1000)
