"""Response-time timers at a million open tickets: finding what is due, and firing it.

    .venv/bin/python bench/sla.py [--tickets 1000000] [--due 10000] [--db sqlite|postgres|both]

For each database it migrates a fresh one with Django, bulk-loads open tickets, each with a
running response or resolution timer and a running escalation-level timer (fire_at in the
future), `--due` of the response/resolution timers overdue (half at their warning, half at
their breach), and met or stopped timers (fire_at NULL) as history. Rows go in with executemany
in one transaction (SQLite) or COPY (PostgreSQL), secondary indexes built after. Then ANALYZE,
and:

0. business time: adding an hour and 30 days to an office calendar, per call (no database);
1. "what is due": the executor's own claim (`sigap.sla.firing.timers_claim_due`, the batch of
   500 in its transaction, as `sla_fire_due` issues it) timed over repeated runs, p50 / p95,
   with its plan (EXPLAIN QUERY PLAN / EXPLAIN (ANALYZE, BUFFERS));
2. firing: `sla_fire_due()` called until every due timer has fired, one process: timers per
   second and queries per batch; then the same for 1,000 overdue escalation levels (ladder
   climbs, a heavier path) for comparison.

Not a test: it prints figures and never fails on them. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import _common
from _common import BulkLoader, say

REPEATS = 50
FIND_BUDGET_MS = 50.0
FIRE_BUDGET_PER_S = 1000.0
CLIMBS = 1000
SEED = 20261123
TABLES = ("customers_customer", "tickets_ticket", "sla_timer")
CHANNELS = ["email", "chat", "social", "phone", "walk_in"]
CHANNEL_WEIGHTS = [40, 25, 20, 10, 5]
# Seconds of the standard policy's targets per channel: first response, resolution.
TARGETS = {
    "email": (3600, 3 * 86400),
    "chat": (60, 86400),
    "social": (300, 2 * 86400),
    "phone": (None, 2 * 86400),
    "walk_in": (None, 2 * 86400),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument(
        "--profile", action="store_true", help="profile the firing and print the top functions"
    )
    # Set on the per-database runs, which the calendar figure would only repeat.
    parser.add_argument("--skip-calendar", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.due > args.tickets:
        parser.error("--due cannot exceed --tickets")
    if args.db == "both":
        _calendar_arithmetic()
        _common.each_database(__file__, _forward(args))
        return
    if not args.skip_calendar:
        _calendar_arithmetic()
    _run(args)


def _calendar_arithmetic() -> None:
    """Deadlines in business time are computed for every new ticket: how long one takes."""
    from sigap.sla.calendar import BusinessCalendar, Period, add_business_time

    office = BusinessCalendar(
        "Asia/Jakarta", ((Period(8 * 60, 12 * 60), Period(13 * 60, 17 * 60)),) * 5 + ((), ())
    )
    start = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    for label, seconds in (("1 hour", 3600), ("30 days", 30 * 86400)):
        runs = 2000
        began = time.perf_counter()
        for _ in range(runs):
            add_business_time(office, start, seconds)
        micro = (time.perf_counter() - began) / runs * 1e6
        print(
            f"business time: adding {label} to an office calendar takes {micro:.0f} µs", flush=True
        )


def _forward(args: argparse.Namespace) -> list[str]:
    forwarded = ["--tickets", str(args.tickets), "--due", str(args.due), "--skip-calendar"]
    forwarded += ["--repeats", str(args.repeats)]
    if args.profile:
        forwarded.append("--profile")
    return forwarded


# ----------------------------------------------------------------------------- setting up


def _run(args: argparse.Namespace) -> None:
    # The in-process channel layer: no Redis round trips in the figures (see bench/README.md).
    os.environ.pop("SIGAP_REDIS_URL", None)
    title = f"{args.db} — {args.tickets:,} open tickets, {args.due:,} timers due"
    with _common.django_database(args.db, "sigap_bench_sla", title):
        now = datetime.now(UTC)
        _load(args.tickets, args.due, now)
        _common.analyze()
        _find_due(args.repeats)
        _fire(args.due, args.profile)
        _climb(args.profile)


# ----------------------------------------------------------------------------- the rows


def _load(tickets: int, due: int, now: datetime) -> None:
    from sigap.accounts.services import team_create

    team = team_create(name="Tim Bench", slug="tim-bench")
    rng = random.Random(SEED)
    customers = max(1000, tickets // 4)
    started = time.monotonic()
    # Which tickets hold an overdue timer: spread over the whole id range.
    overdue = set(rng.sample(range(1, tickets + 1), due))
    with BulkLoader(TABLES) as loader:
        loader.load("customers_customer", _customer_rows(customers, now), customers, "customers")
        loader.load(
            "tickets_ticket",
            _ticket_rows(rng, tickets, customers, team.pk, now),
            tickets,
            "tickets",
        )
        loader.load("sla_timer", _timer_rows(rng, tickets, overdue, now), tickets, "timers")
    say(f"loaded in {time.monotonic() - started:.0f}s")
    from sigap.sla.models import Timer

    counts = {
        "timers": Timer.objects.count(),
        "with fire_at": Timer.objects.filter(fire_at__isnull=False).count(),
        "due now": Timer.objects.filter(fire_at__lte=datetime.now(UTC)).count(),
    }
    say(", ".join(f"{name}: {value:,}" for name, value in counts.items()))


def _customer_rows(count: int, now: datetime) -> Iterator[dict[str, Any]]:
    start = now - timedelta(days=400)
    for pk in range(1, count + 1):
        yield {
            "id": pk,
            "name": f"Pelanggan {pk}",
            "language": "id",
            "is_vip": False,
            "notes": "",
            "merged_into_id": None,
            "created_at": start,
            "updated_at": start,
        }


def _created(index: int, count: int, now: datetime) -> datetime:
    # Open tickets of the last 30 days, oldest first, so ids grow with time.
    return now - timedelta(days=30) + timedelta(days=30) * (index / count)


def _ticket_rows(
    rng: random.Random, count: int, customers: int, team_id: int, now: datetime
) -> Iterator[dict[str, Any]]:
    for pk in range(1, count + 1):
        created = _created(pk, count, now)
        yield {
            "id": pk,
            "subject": f"Paket belum sampai #{pk}",
            "customer_id": rng.randint(1, customers),
            "identity_id": None,
            "channel": _channel(pk),
            "status": rng.choice(["new", "open", "open", "pending_internal"]),
            "priority": "normal",
            "category_id": None,
            "team_id": team_id,
            "assignee_id": None,
            "language": "id",
            "created_by_id": None,
            "created_at": created,
            "updated_at": created,
            "first_response_at": None,
            "last_customer_message_at": created,
            "last_agent_message_at": None,
            "resolved_at": None,
            "closed_at": None,
            "message_count": 1,
        }


def _channel(pk: int) -> str:
    # Deterministic per ticket, so the timers can be derived from the id alone.
    return random.Random(pk).choices(CHANNELS, CHANNEL_WEIGHTS)[0]


def _timer(
    pk: int, ticket: int, kind: str, state: str, seconds: int, started: datetime
) -> dict[str, Any]:
    return {
        "id": pk,
        "ticket_id": ticket,
        "kind": kind,
        "state": state,
        "target_seconds": seconds,
        "is_business_time": False,
        "warn_percent": 80,
        "level": None,
        "started_at": started,
        "due_at": None,
        "warn_at": None,
        "fire_at": None,
        "warned_at": None,
        "breached_at": None,
        "met_at": None,
        "stopped_at": None,
        "paused_at": None,
        "remaining_seconds": None,
        "paused_seconds": 0.0,
        "pause_count": 0,
    }


def _timer_rows(
    rng: random.Random, count: int, overdue: set[int], now: datetime
) -> Iterator[list[dict[str, Any]]]:
    """Per ticket: its running target (first response if unanswered, else resolution), its
    running escalation level, and as history a met first response (answered tickets)."""
    pk = 0
    for ticket in range(1, count + 1):
        rows = []
        first, resolution = TARGETS[_channel(ticket)]
        answered = first is None or rng.random() < 0.7
        if answered and first is not None:
            # History: the first response was met; nothing left to fire.
            pk += 1
            met = _timer(pk, ticket, "first_response", "met", first, now - timedelta(days=2))
            met["met_at"] = met["started_at"] + timedelta(seconds=first / 2)
            met["due_at"] = met["started_at"] + timedelta(seconds=first)
            rows.append(met)
        kind, seconds = ("resolution", resolution) if answered else ("first_response", first)
        assert seconds is not None
        pk += 1
        timer = _timer(pk, ticket, kind, "running", seconds, now)
        if ticket in overdue:
            # Overdue at their warning (resolution targets: their breach is hours away, so it
            # does not fall due while the benchmark runs) or at their breach (warning sent).
            late = timedelta(seconds=rng.uniform(1, 600))
            if kind == "resolution" and rng.random() < 0.6:
                timer["warn_at"] = now - late
                timer["due_at"] = now - late + timedelta(seconds=seconds * 0.2)
                timer["fire_at"] = timer["warn_at"]
            else:
                timer["due_at"] = now - late
                timer["warn_at"] = timer["due_at"] - timedelta(seconds=seconds * 0.2)
                timer["warned_at"] = timer["warn_at"]
                timer["fire_at"] = timer["due_at"]
            timer["started_at"] = timer["due_at"] - timedelta(seconds=seconds)
        else:
            timer["due_at"] = now + timedelta(seconds=rng.uniform(2 * 3600, 3 * 86400))
            timer["warn_at"] = timer["due_at"] - timedelta(seconds=seconds * 0.2)
            # Nothing else falls due while the benchmark runs: the due set stays as loaded.
            timer["fire_at"] = max(timer["warn_at"], now + timedelta(hours=2))
            timer["started_at"] = timer["due_at"] - timedelta(seconds=seconds)
        rows.append(timer)
        pk += 1
        level = _timer(pk, ticket, "escalation", "running", 86400, now)
        level["level"] = 1
        level["due_at"] = level["fire_at"] = now + timedelta(seconds=rng.uniform(2 * 3600, 86400))
        level["started_at"] = level["due_at"] - timedelta(days=1)
        rows.append(level)
        yield rows


# ----------------------------------------------------------------------------- measuring


def _find_due(repeats: int) -> None:
    """The executor's claim, in its transaction, rolled back so every run finds the same rows."""
    from django.db import connection, transaction

    from sigap.core import clock
    from sigap.sla.firing import BATCH, timers_claim_due

    def claim() -> int:
        with transaction.atomic():
            found = len(timers_claim_due(clock.now(), BATCH))
            transaction.set_rollback(True)
        return found

    with _common.sql_sent() as sent:
        found = claim()
    samples = _common.samples_ms(claim, repeats)
    p50, p95 = _common.percentile(samples, 0.5), _common.percentile(samples, 0.95)
    verdict = "within" if p95 < FIND_BUDGET_MS else "OVER"
    print(
        f"\n  what is due: {found} rows (one batch of the executor's claim), "
        f"p50 {p50:.2f} ms / p95 {p95:.2f} ms over {repeats} runs "
        f"({verdict} the {FIND_BUDGET_MS:.0f} ms budget)",
        flush=True,
    )
    sql, params = next((s, p) for s, p in sent if "sla_timer" in s)

    def query_only() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()
            transaction.set_rollback(True)

    samples = _common.samples_ms(query_only, repeats)
    print(
        "  the same SQL without building model objects: "
        f"p50 {_common.percentile(samples, 0.5):.2f} ms"
        f" / p95 {_common.percentile(samples, 0.95):.2f} ms",
        flush=True,
    )
    print(f"  SQL: {sql}", flush=True)
    print("  plan:", flush=True)
    for line in _common.explain(sql, params):
        print(f"    {line}", flush=True)


def _fire_all(label: str, expected: int, profile: bool) -> None:
    from sigap.sla.firing import sla_fire_due

    profiler = cProfile.Profile() if profile else None
    fired = batches = 0
    started = time.perf_counter()
    with _common.sql_sent() as sent:
        if profiler:
            profiler.enable()
        while True:
            done = sla_fire_due()
            if not done:
                break
            fired += done
            batches += 1
        if profiler:
            profiler.disable()
    took = time.perf_counter() - started
    rate = fired / took if took else 0.0
    verdict = "meets" if rate >= FIRE_BUDGET_PER_S else "BELOW"
    print(
        f"\n  {label}: {fired:,} of {expected:,} fired in {took:.2f}s = {rate:,.0f}/s, one "
        f"process ({batches} batches, {len(sent) / max(batches, 1):.0f} queries per batch)"
        + (f"; {verdict} the {FIRE_BUDGET_PER_S:,.0f}/s budget" if label == "firing" else ""),
        flush=True,
    )
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue(), flush=True)


def _fire(due: int, profile: bool) -> None:
    from sigap.tickets.models import TicketEvent

    _fire_all("firing", due, profile)
    kinds = dict(
        (kind, TicketEvent.objects.filter(kind=kind).count())
        for kind in ("sla_warned", "sla_breached")
    )
    say(f"events written: {kinds}")


def _climb(profile: bool) -> None:
    """Ladder climbs do more per timer (lock the ticket, record, start the next level)."""
    from sigap.core import clock
    from sigap.sla.models import Timer

    now = clock.now()
    pks = list(
        Timer.objects.filter(kind="escalation", state="running")
        .order_by("pk")
        .values_list("pk", flat=True)[:CLIMBS]
    )
    Timer.objects.filter(pk__in=pks).update(
        fire_at=now - timedelta(minutes=1), due_at=now - timedelta(minutes=1)
    )
    _fire_all("ladder climbs (escalation levels), for comparison", len(pks), profile)


if __name__ == "__main__":
    main()
