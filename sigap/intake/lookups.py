"""The questions intake asks about every received message, as fixed SQL.

Each runs once per mail and is nearly always answered "nothing yet": built through the ORM, a
question cost several times what the database needed to answer it (bench/intake.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from sigap.tickets.models import Channel, Direction, Status

# The row that took a Message-ID at a mailbox; {mailbox} is one of the two conditions below.
_TAKEN = 'SELECT "id" FROM "intake_inboundemail" WHERE "message_id" = %s AND {mailbox} LIMIT 1'
_OF_MAILBOX = '"mailbox_id" = %s'
# NULL never equals NULL: mail piped in without a mailbox is its own question.
_WITHOUT_MAILBOX = '"mailbox_id" IS NULL'
# One round trip for two questions every mail asks: whether this mailbox took it already (kind
# 0: at most one row, by the unique key), and which stored ticket messages carry the Message-IDs
# it names (kind 1), newest first, as a reply continues the latest message it names.
_KNOWN = (
    "SELECT 0, \"id\", '', '', '', 0, 0, '', NULL FROM \"intake_inboundemail\""
    ' WHERE "message_id" = %s AND {mailbox}'
    " UNION ALL"
    ' SELECT 1, m."id", m."external_id", m."direction", m."channel", m."ticket_id",'
    ' t."customer_id", t."status", m."created_at"'
    ' FROM "tickets_message" m JOIN "tickets_ticket" t ON t."id" = m."ticket_id"'
    ' WHERE m."external_id" IN ({wanted})'
    " ORDER BY 1, 9 DESC, 2 DESC"
)


def _taken_where(mailbox_id: int | None, message_id: str) -> tuple[str, list[Any]]:
    """The condition for "this Message-ID at this mailbox", and its values."""
    if mailbox_id is None:
        return _WITHOUT_MAILBOX, [message_id]
    return _OF_MAILBOX, [message_id, mailbox_id]


def inbound_taken(mailbox_id: int | None, message_id: str) -> int | None:
    """The InboundEmail row that took this Message-ID at this mailbox already, if any."""
    if not message_id:
        return None
    mailbox, params = _taken_where(mailbox_id, message_id)
    with connection.cursor() as cursor:
        # Only one of two fixed conditions is formatted in; values go as parameters.
        cursor.execute(_TAKEN.format(mailbox=mailbox), params)
        row = cursor.fetchone()
    return int(row[0]) if row else None


@dataclass(frozen=True)
class Named:
    """A stored ticket message whose Message-ID a received mail names."""

    message_id: int
    external_id: str
    is_received_mail: bool
    ticket_id: int
    customer_id: int
    is_closed: bool


@dataclass(frozen=True)
class Known:
    """What the desk has of a received mail already: the row that took it at this mailbox, and
    the ticket messages stored under the Message-IDs it names."""

    taken: int | None
    named: list[Named]


def mail_known(mailbox_id: int | None, message_id: str, names: list[str]) -> Known:
    """Whether this mailbox took `message_id` already, and the ticket messages stored under it
    or under any of `names` (the ones a reply answers), newest first: one question."""
    wanted = list(dict.fromkeys(i for i in [message_id, *names] if i))
    mailbox, params = _taken_where(mailbox_id, message_id)
    # Only placeholders and one of two fixed conditions are formatted in; values go as
    # parameters.
    statement = _KNOWN.format(mailbox=mailbox, wanted=", ".join(["%s"] * len(wanted)))
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *wanted])
        rows = cursor.fetchall()
    taken = next((int(row[1]) for row in rows if row[0] == 0), None)
    return Known(taken=taken, named=[_named(row[1:8]) for row in rows if row[0] == 1])


def _named(row: Any) -> Named:
    return Named(
        message_id=row[0],
        external_id=row[1],
        is_received_mail=row[2] == Direction.INBOUND and row[3] == Channel.EMAIL,
        ticket_id=row[4],
        customer_id=row[5],
        is_closed=row[6] == Status.CLOSED,
    )
