"""A small desk made through the services, and a row-by-row picture of it for comparisons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sigap.accounts.models import User
from sigap.intake.models import Mailbox
from sigap.intake.services import email_ingest
from sigap.tickets.models import Attachment
from sigap.tickets.services import ticket_add_note, ticket_change_priority, ticket_reply
from tests.trust.conftest import mail_with_files

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n" + b"kuitansi " * 300

# The tables a restore must bring back exactly, with the column that orders them.
TABLES = ["tickets_ticket", "tickets_message", "tickets_ticketevent", "tickets_attachment"]


def desk_build(mailbox: Mailbox, agent: User, tickets: int = 3) -> None:
    """Tickets from mail with attachments, answered, noted and changed by an agent."""
    for number in range(tickets):
        raw = mail_with_files(
            [
                (f"foto-{number}.png", "image/png", PNG + bytes([number])),
                ("nota.pdf", "application/pdf", PDF),
            ],
            sender=f"pelanggan{number}@mail.example",
            subject=f"Pesanan {number} rusak",
            message_id=f"<order-{number}@mail.example>",
        )
        inbound = email_ingest(raw=raw, mailbox=mailbox)
        ticket = inbound.ticket
        assert ticket is not None, inbound.detail
        ticket_reply(ticket=ticket, by=agent, body=f"Mohon maaf, pesanan {number} kami ganti.")
        ticket_add_note(ticket=ticket, by=agent, body="Cek stok gudang dulu.")
        ticket_change_priority(ticket=ticket, by=agent, priority="high")


def rows(cursor: Any) -> dict[str, list[tuple[Any, ...]]]:
    picture = {}
    for table in TABLES:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - fixed table names
        picture[table] = [tuple(row) for row in cursor.fetchall()]
    return picture


def files(directory: Path) -> dict[str, bytes]:
    """Every attachment's bytes by storage key, read from `directory`."""
    return {
        key: (directory / key[:2] / key).read_bytes()
        for key in Attachment.objects.values_list("storage_key", flat=True)
    }
