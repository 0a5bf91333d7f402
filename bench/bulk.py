"""How long one bulk change of the most tickets allowed takes, and what it costs per ticket.

    .venv/bin/python bench/bulk.py [--rounds 3] [--db sqlite|postgres|both]

Each round opens MAX_TICKETS (200) tickets of one team through the real service; every other
one is a damaged-product report whose SOP close gate holds it. One call of
`tickets_bulk_change_status` then resolves the batch: half are resolved, half refused with the
gate's reason, each in a savepoint of its own. Prints the call's wall time (p50 and worst of the
rounds), the time and queries per ticket, and this process's CPU time, which load does not skew.
The bound exists to keep this call inside a web request's timeout.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import _common
from _common import say


def run(db: str, rounds: int) -> None:
    title = f"Bulk resolve on {db}, {rounds} rounds"
    with _common.django_database(db, "sigap_bench_bulk", title):
        from sigap.accounts.models import Role
        from sigap.accounts.services import team_create, user_create
        from sigap.customers.services import customer_create
        from sigap.sops.services import LIBRARY_DIR, sop_import, sop_publish
        from sigap.tickets.bulk import MAX_TICKETS, Outcome, tickets_bulk_change_status
        from sigap.tickets.models import Channel
        from sigap.tickets.services import ticket_open

        # Only the damaged-product SOP: the library's general enquiry would hold the rest too.
        source = (LIBRARY_DIR / "damaged-product.yaml").read_text()
        sop_publish(version=sop_import(text=source, by=None), by=None, notes="bench")
        team = team_create(name="Bench", slug="bench")
        agent = user_create(
            username="sari",
            email="sari@desk.example",
            password="x" * 12,
            role=Role.AGENT,
            teams=[team],
        )
        subjects = [
            ("Vas bunga pecah", "Paket datang dalam keadaan rusak, vasnya pecah."),
            ("Jam buka", "Toko buka jam berapa hari Minggu?"),
        ]
        walls: list[float] = []
        cpus: list[float] = []
        queries = 0
        for round_number in range(rounds):
            ids = []
            for i in range(MAX_TICKETS):
                subject, body = subjects[i % 2]
                customer = customer_create(by=None, name=f"Pelanggan {round_number}-{i}")
                ticket = ticket_open(
                    customer=customer, channel=Channel.EMAIL, subject=subject, body=body, team=team
                )
                ids.append(ticket.pk)
            started, cpu_started = time.perf_counter(), time.process_time()
            with _common.sql_sent() as sent:
                results = tickets_bulk_change_status(by=agent, ticket_ids=ids, status="resolved")
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu_started)
            queries = len(sent)
            done = sum(r.outcome == Outcome.DONE for r in results)
            refused = sum(r.outcome == Outcome.REFUSED for r in results)
            assert (done, refused) == (MAX_TICKETS // 2, MAX_TICKETS // 2), {
                r.reason for r in results
            }
        p50 = statistics.median(walls)
        say(
            f"{MAX_TICKETS} tickets in one call: p50 {p50 * 1000:.0f} ms, worst"
            f" {max(walls) * 1000:.0f} ms; {p50 / MAX_TICKETS * 1000:.1f} ms and"
            f" {queries / MAX_TICKETS:.1f} queries per ticket; CPU of this process"
            f" {statistics.median(cpus) * 1000:.0f} ms"
        )
        say(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    if args.db == "both":
        _common.each_database(__file__, ["--rounds", str(args.rounds)])
        return
    run(args.db, args.rounds)


if __name__ == "__main__":
    sys.exit(main())
