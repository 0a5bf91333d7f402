"""`sigap serve`: migrate, make sure an admin exists, then serve the desk."""

from __future__ import annotations

import contextlib
import signal
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from sigap.accounts.services import first_admin_ensure
from sigap.core.jobs import InProcessRunner, jobs_wake_with
from sigap.sla.configuration import sla_defaults_install
from sigap.sops.services import sop_library_install

# Pages still running when asked to stop get this long to finish before they are cut off.
GRACEFUL_SHUTDOWN_SECONDS = 10


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
        # uvicorn stops gracefully on SIGTERM and then re-raises it; the default action would
        # end the process there (exit 143) before the job runner is stopped. Treated as Ctrl-C,
        # it ends as a KeyboardInterrupt, which uvicorn.run and this command handle quietly.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        with contextlib.suppress(KeyboardInterrupt):
            self._serve(options)
        self._say("Sigap stopped.")

    def _serve(self, options: dict[str, Any]) -> None:
        self._say(f"Data directory: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        created = first_admin_ensure()
        if created is not None:
            user, password = created
            self._say(
                self.style.WARNING(
                    f"Created the first admin. Username: {user.username}  "
                    f"Password: {password}  (shown once; change it after signing in)"
                )
            )
        installed = sop_library_install()
        if installed:
            self._say(f"Installed the bundled SOPs: {', '.join(installed)}")
        installed = sla_defaults_install()
        if installed:
            self._say(f"Installed the standard response times: {', '.join(installed)}")
        if options["demo"]:
            call_command("demo", stdout=self.stdout)
        runner = None
        if not options["no_workers"]:
            runner = InProcessRunner(settings.JOBS_POLL_SECONDS)
            runner.start()
        else:
            from sigap.core.tasks import wake_workers

            jobs_wake_with(wake_workers)
        try:
            self._say(f"Sigap is running at http://{options['host']}:{options['port']}/")
            uvicorn.run(
                "sigap.server:application",
                host=options["host"],
                port=options["port"],
                # Measured in bench/http.py: httptools parses faster than h11.
                http="httptools",
                loop="uvloop",
                lifespan="on",
                access_log=False,
                log_level="warning",
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            )
        finally:
            if runner is not None:
                runner.stop()

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        # Under a service manager stdout is a pipe: without a flush the one-time admin password
        # would sit in a buffer until the process ends.
        self.stdout.flush()
