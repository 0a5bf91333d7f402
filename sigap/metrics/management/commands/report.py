"""`sigap report --period 2026-10 --format csv|pdf [--team ID] [--output FILE]`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sigap.core.errors import DomainError
from sigap.metrics.kpis import kpis_compute
from sigap.metrics.reports import FORMATS, report_csv, report_pdf
from sigap.metrics.slices import Slice, slice_options


class Command(BaseCommand):
    help = (
        "Write the desk's KPIs for a month (2026-10) or an ISO week (2026-W43) as CSV or PDF: "
        "the same numbers as the dashboard."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="2026-10 or 2026-W43")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--team", help="a team's id or slug")
        parser.add_argument("--agent", help="an agent's id or username")
        parser.add_argument("--channel")
        parser.add_argument("--sop", help="an SOP's id or key")
        parser.add_argument(
            "--output", help="file to write; CSV goes to standard output when left out"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            chosen: Slice = slice_options(
                period=options["period"],
                team=options["team"],
                agent=options["agent"],
                channel=options["channel"],
                sop=options["sop"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        report = kpis_compute(chosen)
        output = options["output"]
        if options["format"] == "csv":
            text = report_csv(report)
            if output:
                Path(output).write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
            return
        target = Path(output or f"sigap-report-{chosen.period.key}.pdf")
        target.write_bytes(report_pdf(report))
        self.stdout.write(str(target))
