"""The same mail taken by two workers at the same moment on PostgreSQL (an MTA retrying while
the first delivery is still being processed, two IMAP passes overlapping): one row, one ticket,
and both callers are told about that one row."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sigap.customers.models import Customer
from sigap.intake.models import InboundEmail, InboundStatus, Mailbox
from sigap.intake.services import email_ingest
from sigap.tickets.models import Message, Ticket
from tests.intake.conftest import eml
from tests.together import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 4


def _ingest_all_at_once(raws: list[bytes], mailbox: Mailbox) -> tuple[list[int], list[object]]:
    def ingest(raw: bytes) -> Callable[[], int]:
        return lambda: email_ingest(raw=raw, mailbox=mailbox).pk

    taken, failures = at_once([ingest(raw) for raw in raws], seconds=60)
    return taken, list(failures)


def test_one_mail_delivered_by_several_workers_at_once_is_one_ticket(mailbox: Mailbox) -> None:
    taken, failures = _ingest_all_at_once([eml("plain-utf8.eml")] * WORKERS, mailbox)

    assert failures == []
    assert InboundEmail.objects.count() == 1
    row = InboundEmail.objects.get()
    assert taken == [row.pk] * WORKERS
    assert row.status == InboundStatus.TICKET_CREATED
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1


def test_a_new_senders_first_two_mails_at_once_are_both_tickets_of_one_customer(
    mailbox: Mailbox,
) -> None:
    # Both find no customer for the address and add one; the database lets one of them win,
    # and the other, taken once more, finds that customer.
    raws = [
        eml("plain-utf8.eml").replace(b"Message-ID: <", f"Message-ID: <n{n}-".encode())
        for n in range(2)
    ]

    taken, failures = _ingest_all_at_once(raws, mailbox)

    assert failures == []
    rows = InboundEmail.objects.order_by("pk")
    assert sorted(taken) == [row.pk for row in rows]
    assert [row.status for row in rows] == [InboundStatus.TICKET_CREATED] * 2
    assert Ticket.objects.count() == 2
    assert Customer.objects.count() == 1
