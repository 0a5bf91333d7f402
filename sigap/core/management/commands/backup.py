"""`sigap backup`: the database and attachments in one archive with a checksummed manifest."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from sigap.core.backup import backup_create, backups_prune
from sigap.core.backup_progress import terminal_progress
from sigap.core.errors import DomainError


class Command(BaseCommand):
    help = "Write one archive of the database and the attachments (restore with sigap restore)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Folder to write the archive in (default: SIGAP_BACKUP_DIR).",
        )
        parser.add_argument(
            "--keep", type=int, default=None, help="Then delete all but the newest N archives."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["output"] or Path(settings.BACKUP_DIR)
        progress, finish = terminal_progress(self.stdout, sys.stdout)
        try:
            made = backup_create(destination=directory, progress=progress)
        except DomainError as error:
            raise CommandError(error.message) from None
        finally:
            finish()
        if options["keep"] is not None:
            for old in backups_prune(directory=directory, keep=options["keep"]):
                self.stdout.write(f"Removed {old}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {made.path} ({filesizeformat(made.size)}, {made.engine} "
                f"database, {made.files} files)."
            )
        )
