"""`sigap restore ARCHIVE`: bring a desk back from `sigap backup`, checked before anything moves."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sigap.core.backup import backup_restore
from sigap.core.backup_progress import terminal_progress
from sigap.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty desk (stop the desk first). Every checksum is "
        "verified before anything is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the data already in the database and attachments folder.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress, finish = terminal_progress(self.stdout, sys.stdout)
        try:
            restored = backup_restore(
                archive=options["archive"], force=options["force"], progress=progress
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        finally:
            finish()
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {restored.created_at} ({restored.engine} database, "
                f"{restored.attachments} attachment files)."
            )
        )
