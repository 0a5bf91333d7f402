"""`sigap poll-mail`: read every active IMAP mailbox once, now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sigap.intake.imap import mailbox_poll_recorded, mailboxes_pollable


class Command(BaseCommand):
    help = "Read every active IMAP mailbox once and take in its mail."

    def handle(self, *args: Any, **options: Any) -> None:
        mailboxes = list(mailboxes_pollable())
        if not mailboxes:
            self.stdout.write("No active IMAP mailboxes.")
            return
        failed = 0
        for number, mailbox in enumerate(mailboxes, start=1):
            self.stdout.write(f"[{number}/{len(mailboxes)}] {mailbox.name}: ", ending="")
            self.stdout.flush()
            result = mailbox_poll_recorded(mailbox)
            if result.error:
                failed += 1
                self.stdout.write(f"failed: {result.error}")
                continue
            counts = ", ".join(
                f"{count} {status}" for status, count in sorted(result.statuses.items())
            )
            self.stdout.write(f"{result.taken} message(s)" + (f" ({counts})" if counts else ""))
        if failed:
            raise CommandError(f"{failed} mailbox(es) could not be read.")
