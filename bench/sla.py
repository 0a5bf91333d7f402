"""Response-time timers at a million open tickets: finding what is due, and firing it.

    .venv/bin/python bench/sla.py [--tickets 1000000] [--due 10000] [--db sqlite|postgres|both]

For each database it migrates a fresh one with Django, bulk-loads open tickets, each with a
running response or resolution timer and a running escalation-level timer (fire_at in the
future), `--due` of the response/resolution timers overdue (half at their warning, half at
their breach), and met or stopped timers (fire_at NULL) as history. Rows go in with executemany
in one transaction (SQLite) or COPY (PostgreSQL), secondary indexes built after. Then ANALYZE,
and:

1. "what is due": the executor's own claim (`sigap.sla.firing._claim`, the batch of 500 in its
   transaction, as `sla_fire_due` issues it) timed over repeated runs, p50 / p95, with its plan
   (EXPLAIN QUERY PLAN / EXPLAIN (ANALYZE, BUFFERS));
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
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
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
    args = parser.parse_args()
    if args.due > args.tickets:
        parser.error("--due cannot exceed --tickets")
    if args.db == "both":
        for db in ("sqlite", "postgres"):
            command = [sys.executable, __file__, *_forward(args), "--db", db]
            result = subprocess.run(command, check=False)
            if result.returncode != 0:
                sys.exit(result.returncode)
        return
    _run(args)


def _forward(args: argparse.Namespace) -> list[str]:
    forwarded = ["--tickets", str(args.tickets), "--due", str(args.due)]
    forwarded += ["--repeats", str(args.repeats)]
    if args.profile:
        forwarded.append("--profile")
    return forwarded


# ----------------------------------------------------------------------------- setting up


def _run(args: argparse.Namespace) -> None:
    db = args.db
    work = Path(tempfile.mkdtemp(prefix="sigap-bench-sla-"))
    # Settings create the data directory; it must never be the developer's ./sigap-data.
    os.environ["SIGAP_DATA_DIR"] = str(work)
    os.environ["SIGAP_SECRET_KEY"] = "bench-only-not-a-secret"
    os.environ["SIGAP_LOG_LEVEL"] = "ERROR"
    # The in-process channel layer: no Redis round trips in the figures (see bench/README.md).
    os.environ.pop("SIGAP_REDIS_URL", None)
    database = f"sigap_bench_sla_{os.getpid()}"
    if db == "sqlite":
        os.environ["SIGAP_DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        _pg_recreate(database)
        os.environ["SIGAP_DATABASE_URL"] = f"{PG_SERVER}/{database}?conn_max_age=600"
    os.environ["DJANGO_SETTINGS_MODULE"] = "sigap.settings"
    # Python put bench/ first on the path, where bench/http.py would shadow the standard
    # library's http package that Django imports.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    print(f"\n=== {db} — {args.tickets:,} open tickets, {args.due:,} timers due", flush=True)
    try:
        started = time.monotonic()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        _say(f"migrated in {time.monotonic() - started:.1f}s")
        now = datetime.now(UTC)
        _load(args.tickets, args.due, now)
        _analyze(db)
        _find_due(args.repeats)
        _fire(args.due, args.profile)
        _climb(args.profile)
    finally:
        from django.db import connections

        connections.close_all()
        if db == "postgres":
            _pg_drop(database)
        shutil.rmtree(work, ignore_errors=True)


def _say(text: str) -> None:
    print(f"  {text}", flush=True)


def _pg_admin() -> Any:
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


def _pg_recreate(database: str) -> None:
    _pg_drop(database)
    with _pg_admin() as admin:
        admin.execute(f"CREATE DATABASE {database}")


def _pg_drop(database: str) -> None:
    with _pg_admin() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


# ----------------------------------------------------------------------------- the rows


def _load(tickets: int, due: int, now: datetime) -> None:
    from sigap.accounts.services import team_create

    team = team_create(name="Tim Bench", slug="tim-bench")
    rng = random.Random(SEED)
    customers = max(1000, tickets // 4)
    started = time.monotonic()
    # Which tickets hold an overdue timer: spread over the whole id range.
    overdue = set(rng.sample(range(1, tickets + 1), due))
    with _Loader() as loader:
        loader.load("customers_customer", _customer_rows(customers, now), customers, "customers")
        loader.load(
            "tickets_ticket",
            _ticket_rows(rng, tickets, customers, team.pk, now),
            tickets,
            "tickets",
        )
        loader.load("sla_timer", _timer_rows(rng, tickets, overdue, now), tickets, "timers")
    _say(f"loaded in {time.monotonic() - started:.0f}s")
    from sigap.sla.models import Timer

    counts = {
        "timers": Timer.objects.count(),
        "with fire_at": Timer.objects.filter(fire_at__isnull=False).count(),
        "due now": Timer.objects.filter(fire_at__lte=datetime.now(UTC)).count(),
    }
    _say(", ".join(f"{name}: {value:,}" for name, value in counts.items()))


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


class _Loader:
    """Raw bulk inserts with the tables' secondary indexes dropped, then rebuilt in one pass:
    exactly the indexes the migrations made, read back from the database."""

    BATCH = 50_000

    def __enter__(self) -> _Loader:
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        self.columns: dict[str, list[tuple[str, Callable[[Any], Any]]]] = {}
        connection.ensure_connection()
        self.raw = connection.connection
        if self.vendor == "sqlite":
            # Loading only: no journal, no fsync. The database is thrown away if this fails.
            self.raw.execute("PRAGMA foreign_keys=OFF")
            self.raw.execute("PRAGMA journal_mode=OFF")
            self.raw.execute("PRAGMA synchronous=OFF")
            self.raw.execute("PRAGMA cache_size=-1000000")
            rows = self.raw.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({','.join('?' * len(TABLES))})",
                TABLES,
            ).fetchall()
            self.indexes = [(name, sql) for name, sql in rows]
            for name, _sql in self.indexes:
                self.raw.execute(f'DROP INDEX "{name}"')
            self.raw.execute("BEGIN")
        else:
            with self.raw.cursor() as cursor:
                # Rows are generated consistent; foreign-key triggers would only slow COPY.
                cursor.execute("SET session_replication_role = replica")
                cursor.execute("SET maintenance_work_mem = '1GB'")
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                    [list(TABLES)],
                )
                self.indexes = list(cursor.fetchall())
                for name, _sql in self.indexes:
                    cursor.execute(f'DROP INDEX "{name}"')
            self.raw.commit()
        return self

    def _columns(self, table: str) -> list[tuple[str, Callable[[Any], Any]]]:
        if table not in self.columns:
            from django.apps import apps

            model = next(m for m in apps.get_models() if m._meta.db_table == table)
            self.columns[table] = [
                (f.column, self._adapter(f.get_internal_type()))
                for f in model._meta.concrete_fields
            ]
        return self.columns[table]

    def _adapter(self, internal: str) -> Callable[[Any], Any]:
        if self.vendor == "sqlite" and internal == "DateTimeField":
            # As Django stores them on SQLite: naive UTC text.
            return lambda v: None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))
        return lambda v: v

    def _flush(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = self._columns(table)
        missing = [name for name, _ in columns if name not in rows[0]]
        if missing:
            raise SystemExit(f"bench/sla.py does not fill {table}.{', '.join(missing)}; add it")
        values = [tuple(adapt(row[name]) for name, adapt in columns) for row in rows]
        names = ", ".join(f'"{name}"' for name, _ in columns)
        if self.vendor == "sqlite":
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)
        else:
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
            ):
                for value in values:
                    copy.write_row(value)
        rows.clear()

    def load(self, table: str, rows: Iterator[Any], total: int, label: str) -> None:
        started = time.monotonic()
        batch: list[dict[str, Any]] = []
        written = 0
        for row in rows:
            if isinstance(row, list):
                batch += row
            else:
                batch.append(row)
            if len(batch) >= self.BATCH:
                written += len(batch)
                self._flush(table, batch)
        written += len(batch)
        self._flush(table, batch)
        took = time.monotonic() - started
        _say(f"{label}: {written:,} rows in {took:.0f}s")

    def __exit__(self, *exc: object) -> None:
        from django.core.management.color import no_style

        from sigap.customers.models import Customer
        from sigap.sla.models import Timer
        from sigap.tickets.models import Ticket

        started = time.monotonic()
        if self.vendor == "sqlite":
            self.raw.execute("COMMIT")
            for _name, sql in self.indexes:
                self.raw.execute(sql)
            self.raw.execute("PRAGMA journal_mode=WAL")
            self.raw.execute("PRAGMA foreign_keys=ON")
        else:
            with self.raw.cursor() as cursor:
                for _name, sql in self.indexes:
                    cursor.execute(sql)
                cursor.execute("SET session_replication_role = origin")
                models = [Customer, Ticket, Timer]
                for statement in self.connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
            self.raw.commit()
        _say(f"{len(self.indexes)} indexes built in {time.monotonic() - started:.0f}s")


def _analyze(db: str) -> None:
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        if db == "sqlite":
            # What the product can afford (bench/README.md, inbox): a sample per index.
            cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
    _say(f"ANALYZE in {time.monotonic() - started:.1f}s")


# ----------------------------------------------------------------------------- measuring


def _percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _find_due(repeats: int) -> None:
    """The executor's claim, in its transaction, rolled back so every run finds the same rows."""
    from django.db import connection, transaction

    from sigap.core import clock
    from sigap.sla.firing import BATCH, _claim

    def claim() -> int:
        with transaction.atomic():
            found = len(_claim(clock.now(), BATCH))
            transaction.set_rollback(True)
        return found

    sent: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        found = claim()
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        claim()
        samples.append((time.perf_counter() - began) * 1000)
    p50, p95 = _percentile(samples, 0.5), _percentile(samples, 0.95)
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

    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        query_only()
        samples.append((time.perf_counter() - began) * 1000)
    print(
        f"  the same SQL without building model objects: p50 {_percentile(samples, 0.5):.2f} ms"
        f" / p95 {_percentile(samples, 0.95):.2f} ms",
        flush=True,
    )
    print(f"  SQL: {sql}", flush=True)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            lines = [row[3] for row in cursor.fetchall()]
        else:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            lines = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    print("  plan:", flush=True)
    for line in lines:
        print(f"    {line}", flush=True)


def _fire_all(label: str, expected: int, profile: bool) -> None:
    from django.db import connection

    from sigap.sla.firing import sla_fire_due

    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    profiler = cProfile.Profile() if profile else None
    fired = batches = 0
    started = time.perf_counter()
    with connection.execute_wrapper(count):
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
        f"process ({batches} batches, {queries / max(batches, 1):.0f} queries per batch)"
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
    _say(f"events written: {kinds}")


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
