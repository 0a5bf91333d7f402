"""The questions intake asks about every received message, as fixed SQL.

Each runs once per mail and is nearly always answered "nothing yet": built through the ORM, a
question cost several times what the database needed to answer it (bench/intake.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from sigap.tickets.models import Channel, Direction, Status

_TAKEN = (
    'SELECT "id" FROM "intake_inboundemail" WHERE "message_id" = %s AND "mailbox_id" = %s LIMIT 1'
)
# NULL never equals NULL: mail piped in without a mailbox is its own question.
_TAKEN_WITHOUT_MAILBOX = (
    'SELECT "id" FROM "intake_inboundemail" WHERE "message_id" = %s AND "mailbox_id" IS NULL'
    " LIMIT 1"
)
# Newest first, as a reply continues the latest message it names.
_NAMED = (
    'SELECT m."id", m."external_id", m."direction", m."channel", m."ticket_id",'
    ' t."customer_id", t."status"'
    ' FROM "tickets_message" m JOIN "tickets_ticket" t ON t."id" = m."ticket_id"'
    ' WHERE m."external_id" IN ({}) ORDER BY m."created_at" DESC, m."id" DESC'
)


def inbound_taken(mailbox_id: int | None, message_id: str) -> int | None:
    """The InboundEmail row that took this Message-ID at this mailbox already, if any."""
    if not message_id:
        return None
    with connection.cursor() as cursor:
        if mailbox_id is None:
            cursor.execute(_TAKEN_WITHOUT_MAILBOX, [message_id])
        else:
            cursor.execute(_TAKEN, [message_id, mailbox_id])
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


def messages_named(external_ids: list[str]) -> list[Named]:
    """The ticket messages stored under any of these Message-IDs, newest first."""
    wanted = list(dict.fromkeys(i for i in external_ids if i))
    if not wanted:
        return []
    # Only placeholders are formatted in; the ids go as parameters.
    statement = _NAMED.format(", ".join(["%s"] * len(wanted)))
    with connection.cursor() as cursor:
        cursor.execute(statement, wanted)
        rows = cursor.fetchall()
    return [
        Named(
            message_id=row[0],
            external_id=row[1],
            is_received_mail=row[2] == Direction.INBOUND and row[3] == Channel.EMAIL,
            ticket_id=row[4],
            customer_id=row[5],
            is_closed=row[6] == Status.CLOSED,
        )
        for row in rows
    ]
