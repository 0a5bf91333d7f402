"""`sigap ingest-email`: one message on standard input, for an MTA's pipe delivery.

The exit code follows sysexits(3), which is what MTAs read: 0 means the message is ours now
(a ticket, a reply on one, a recorded auto-reply, or quarantined for an admin — retrying would
not change it); 75 (EX_TEMPFAIL) means keep it and try again later.
"""

from __future__ import annotations

import sys
from typing import Any, BinaryIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from sigap.intake.models import Mailbox
from sigap.intake.services import email_ingest

EX_OK = 0
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Take one RFC 5322 message from standard input (for an MTA pipe)."
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", default="", help="Name of the mailbox it arrived at.")
        parser.add_argument(
            "--sender",
            default=None,
            help="The envelope sender, if the MTA passes it (empty: a bounce).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stream: BinaryIO = options.get("stdin") or sys.stdin.buffer
        # One byte over the limit is enough to know it is too large; the service keeps the start.
        raw = stream.read(settings.MAIL_MAX_BYTES + 1)
        try:
            mailbox = None
            if options["mailbox"]:
                mailbox = Mailbox.objects.filter(name=options["mailbox"]).first()
                if mailbox is None:
                    # A configuration mistake: keep the mail in the MTA's queue until fixed.
                    raise CommandError(
                        f"No mailbox named {options['mailbox']!r}.", returncode=EX_TEMPFAIL
                    )
            inbound = email_ingest(raw=raw, mailbox=mailbox, envelope_sender=options["sender"])
        except DatabaseError as error:
            raise CommandError(
                f"Database unavailable, try again later: {error}", returncode=EX_TEMPFAIL
            ) from None
        self.stdout.write(f"{inbound.status} {inbound.message_id}")
