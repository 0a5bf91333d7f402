"""`sigap metrics rebuild`: recompute every ticket's figures from the timelines."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sigap.metrics.refresh import facts_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the figures the KPIs are counted from (normally kept current in the background)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args: Any, **options: Any) -> None:
        count = facts_rebuild()
        self.stdout.write(f"{count} tickets")
