from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run a Celery worker that performs background jobs (scaled-out mode)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, **options: Any) -> None:
        from sigap.core.jobs import jobs_wake_with
        from sigap.core.tasks import app, wake_workers

        # What a job enqueues (an alert's mail) goes to a worker at once too.
        jobs_wake_with(wake_workers)

        app.worker_main(
            [
                "worker",
                f"--concurrency={options['concurrency']}",
                f"--loglevel={options['loglevel']}",
                "--without-gossip",
                "--without-mingle",
            ]
        )
