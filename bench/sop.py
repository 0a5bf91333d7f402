"""How many new tickets per second get matched to an SOP and start their run, deadlines written.

    .venv/bin/python bench/sop.py [--tickets 2000] [--db sqlite|postgres|both]

Each ticket goes through the real service (`ticket_open`): the ticket, its first message, the
timeline events, trigger matching against the bundled library, the run and every step's stored
deadline, the response-time timers. First one transaction per ticket, as a chat message, a
webhook or `sigap ingest-email` opens one; then 20 per transaction, as the IMAP poller commits
each fetched batch (sigap.intake.imap.FETCH_BATCH). Each ticket
comes from a customer of its own: with a handful of customers each would soon be a "repeat
customer", whom the standard policy escalates straight to a supervisor on every new ticket.
Prints tickets/s, queries/ticket, and the plan of the executor's "which steps are due" query.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

import _common

_common.keep_standard_http()

DATABASE = "sigap_bench_sop"
SUBJECTS = [
    ("Vas bunga pecah", "Paket datang dalam keadaan rusak, vasnya pecah."),
    ("Kecewa dengan kurir", "Saya sangat kecewa, kurirnya kasar."),
    ("Harga kemeja", "Berapa harga dan stok kemeja biru ukuran L?"),
    ("Jam buka", "Toko buka jam berapa hari Minggu?"),
    ("Damaged parcel", "My order arrived broken."),
]


def run_one(count: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from sigap.accounts.services import team_create
    from sigap.customers.services import customer_create
    from sigap.intake.imap import FETCH_BATCH
    from sigap.routing.models import TeamRouting
    from sigap.sops.services import sop_library_install
    from sigap.tickets.models import Channel
    from sigap.tickets.services import ticket_open

    call_command("migrate", verbosity=0)
    sop_library_install()
    team = team_create(name="Bench", slug="bench")
    # Measured here: matching and starting the SOP. The team hands nothing to agents (nobody is
    # online in this desk, so every ticket would wait in the queue): bench/routing.py measures
    # routing.
    TeamRouting.objects.update_or_create(team=team, defaults={"is_enabled": False})
    # Each pass gets its own customers; the warm-up and the counted ticket theirs.
    customers = [customer_create(by=None, name=f"Pelanggan {i}") for i in range(2 * count + 51)]
    channels = [Channel.EMAIL, Channel.CHAT, Channel.SOCIAL]

    def open_ticket(i: int) -> None:
        subject, body = SUBJECTS[i % len(SUBJECTS)]
        ticket_open(
            customer=customers[i],
            channel=channels[i % len(channels)],
            subject=subject,
            body=body,
            team=team,
        )

    for i in range(2 * count, 2 * count + 50):  # warm caches and the connection
        open_ticket(i)
    with _common.sql_sent() as statements:
        open_ticket(2 * count + 50)
    vendor = connection.vendor
    for per_commit, first in ((1, 0), (FETCH_BATCH, count)):
        started, cpu_started = time.perf_counter(), time.process_time()
        for chunk in range(first, first + count, per_commit):
            with transaction.atomic():
                for i in range(chunk, min(chunk + per_commit, first + count)):
                    open_ticket(i)
        took = time.perf_counter() - started
        # The machine may be shared: this process's own CPU time shows what load does not.
        cpu = time.process_time() - cpu_started
        print(
            f"{vendor:10} {per_commit:2d} per commit {count / took:6.0f} tickets/s"
            f"   {len(statements):2d} queries/ticket   ({count} tickets in {took:.1f}s;"
            f" {count / cpu:.0f} tickets per CPU-second of this process)",
            flush=True,
        )
    from sigap.core import clock
    from sigap.sops.firing import steps_claim_due
    from sigap.sops.models import SopRun

    print(f"           {SopRun.objects.count()} runs started for {2 * count + 51} tickets")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    with transaction.atomic(), _common.sql_sent() as due_sql:
        # The moment the first tickets' reply warnings (48 minutes in) fall due.
        steps_claim_due(clock.now() + timedelta(minutes=48, seconds=-took / 2), 200)
    plan = _common.explain(*due_sql[0], costs=False)
    for line in [line for line in plan if "stepstate" in line or "step_alert" in line]:
        print(f"    due steps: {line.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.tickets)
        return
    print(f"SOP start throughput, {args.tickets} tickets, one process, CPUs: {os.cpu_count()}")
    targets = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for target in targets:
        data = tempfile.mkdtemp(prefix="sigap-bench-sop-")
        env = {**os.environ, "SIGAP_DATA_DIR": data, "SIGAP_LOG_LEVEL": "WARNING"}
        env.pop("SIGAP_DATABASE_URL", None)
        if target == "postgres":
            _common.pg_recreate(DATABASE)
            env["SIGAP_DATABASE_URL"] = f"{_common.PG_SERVER}/{DATABASE}"
        subprocess.run(
            [sys.executable, __file__, "--child", "--tickets", str(args.tickets)],
            env=env,
            check=True,
        )
        if target == "postgres":
            _common.pg_drop(DATABASE)
    print("Budget: at least 500 tickets/s on one process.")


if __name__ == "__main__":
    main()
