"""How long `sigap backup` and `sigap restore` take on a desk with tickets and attachments.

    .venv/bin/python bench/backup.py [--tickets 2000] [--attachment-kb 200]

Builds a fresh SQLite desk in a temporary data folder through the intake service (each ticket
a customer mail with one attachment, answered by an agent), then times `backup_create` and
`backup_restore` into a second, empty folder, and prints sizes and MB/s. SQLite only: on
PostgreSQL the database part is pg_dump / pg_restore's own speed.

Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import _common
from _common import say


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--attachment-kb", type=int, default=200)
    options = parser.parse_args()
    _common.keep_standard_http()
    work = Path(tempfile.mkdtemp(prefix="sigap-bench-backup-"))
    os.environ["SIGAP_DATA_DIR"] = str(work / "desk")
    os.environ.pop("SIGAP_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    os.environ["SIGAP_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sigap.accounts.models import Role
    from sigap.accounts.services import team_create, user_create
    from sigap.core.backup import backup_create, backup_restore
    from sigap.intake.models import Mailbox
    from sigap.intake.services import email_ingest
    from sigap.tickets.services import ticket_reply

    sys.path.insert(0, str(_common.ROOT))
    from tests.trust.conftest import mail_with_files

    team = team_create(name="Retail", slug="retail")
    agent = user_create(
        username="sari", email="sari@x.id", password="x-Rahasia-123", role=Role.AGENT, teams=[team]
    )
    mailbox = Mailbox.objects.create(name="cs", team=team)
    payload = os.urandom(options.attachment_kb * 1024)
    started = time.perf_counter()
    for number in range(options.tickets):
        raw = mail_with_files(
            [(f"foto-{number}.jpg", "image/jpeg", payload[:-8] + number.to_bytes(8, "big"))],
            sender=f"p{number}@mail.example",
            message_id=f"<bench-{number}@mail.example>",
        )
        ticket = email_ingest(raw=raw, mailbox=mailbox).ticket
        assert ticket is not None
        ticket_reply(ticket=ticket, by=agent, body=f"Balasan {number}")
    say(f"desk built: {options.tickets} tickets in {time.perf_counter() - started:.1f} s")

    database = Path(os.environ["SIGAP_DATA_DIR"]) / "sigap.sqlite3"
    attachments = sum(
        p.stat().st_size for p in (database.parent / "attachments").rglob("*") if p.is_file()
    )
    total_mb = (database.stat().st_size + attachments) / 1e6
    say(f"database {database.stat().st_size / 1e6:.1f} MB, attachments {attachments / 1e6:.1f} MB")

    started = time.perf_counter()
    made = backup_create(destination=work / "backups")
    seconds = time.perf_counter() - started
    say(
        f"backup:  {seconds:.2f} s, {total_mb / seconds:.1f} MB/s, archive {made.size / 1e6:.1f} MB"
    )

    target = work / "restored"
    started = time.perf_counter()
    restored = backup_restore(
        archive=made.path,
        database={"ENGINE": "django.db.backends.sqlite3", "NAME": str(target / "sigap.sqlite3")},
        attachments_dir=target / "attachments",
        data_dir=target,
    )
    seconds = time.perf_counter() - started
    say(f"restore: {seconds:.2f} s, {total_mb / seconds:.1f} MB/s ({restored.attachments} files)")
    say(f"(left in {work}; remove it when done)")


if __name__ == "__main__":
    main()
