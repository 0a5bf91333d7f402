"""`sigap demo`: fill an empty desk with two months of an Indonesian online shop's work."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sigap.demo.loader import (
    DEFAULT_SEED,
    DEFAULT_TICKETS,
    DemoRefused,
    demo_load,
    demo_steps,
)
from sigap.demo.progress import ProgressBar


class Command(BaseCommand):
    help = "Load demo data (teams, agents, customers, tickets) into an empty desk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tickets", type=int, default=DEFAULT_TICKETS, help="How many tickets to create."
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Another seed, another desk."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tickets: int = options["tickets"]
        if tickets < 1:
            raise CommandError("--tickets must be at least 1.")

        is_terminal = self.stdout.isatty() and sys.stdout.isatty()

        def write(text: str) -> None:
            if is_terminal:
                # Straight to the terminal: `sigap serve --demo` hands us its own wrapped
                # stdout, which would end every redraw of the bar with a newline.
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                self.stdout.write(text, ending="")

        bar = ProgressBar(write, demo_steps(tickets=tickets), is_terminal=is_terminal)
        try:
            summary = demo_load(tickets=tickets, seed=options["seed"], progress=bar.update)
        except DemoRefused as refused:
            # Not an error: `sigap serve --demo` on a desk in use must keep serving.
            self.stderr.write(self.style.WARNING(f"{refused.message} Nothing was loaded."))
            return
        finally:
            bar.finish()
        if summary is None:
            self.stdout.write("Demo data is already loaded; nothing to do.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo: {summary.customers} customers, {summary.tickets} tickets."
            )
        )
        self.stdout.write("Sign in as any of these (all share one password):")
        for username, role, teams in summary.people:
            self.stdout.write(f"  {username:<8} {role:<11} {teams}")
        self.stdout.write(f"Password: {summary.password}")
