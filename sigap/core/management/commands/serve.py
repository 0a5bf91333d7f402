"""`sigap serve`: migrate, make sure an admin exists, then serve the desk."""

from __future__ import annotations

from typing import Any

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from sigap.accounts.services import first_admin_ensure
from sigap.core.jobs import InProcessRunner


class Command(BaseCommand):
    help = "Run the desk: web pages, API, WebSockets and (unless --no-workers) background jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--demo", action="store_true", help="Load demo data if empty.")
        parser.add_argument(
            "--no-workers",
            action="store_true",
            help="Do not run background jobs here (they run in `sigap worker`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        created = first_admin_ensure()
        if created is not None:
            user, password = created
            self.stdout.write(
                self.style.WARNING(
                    f"Created the first admin. Username: {user.username}  "
                    f"Password: {password}  (shown once; change it after signing in)"
                )
            )
        if options["demo"]:
            call_command("demo", stdout=self.stdout)
        runner = None
        if not options["no_workers"]:
            runner = InProcessRunner(settings.JOBS_POLL_SECONDS)
            runner.start()
        self.stdout.write(f"Sigap is running at http://{options['host']}:{options['port']}/")
        try:
            uvicorn.run(
                "sigap.server:application",
                host=options["host"],
                port=options["port"],
                http="httptools",
                loop="uvloop",
                lifespan="on",
                access_log=False,
                log_level="warning",
            )
        finally:
            if runner is not None:
                runner.stop()
