"""What the database benchmarks share: a database of their own, bulk loading, timing, plans.

Imported by the scripts in this folder as `_common`. While this folder is on sys.path (Python
puts a script's folder first), bench/http.py stands in for the standard library's `http`
package, so `django_database` takes the folder off the path before Django is imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def say(text: str) -> None:
    print(f"  {text}", flush=True)


def each_database(script: str, forwarded: list[str]) -> None:
    """Run the script once for SQLite and once for PostgreSQL, each in a process of its own."""
    for db in ("sqlite", "postgres"):
        result = subprocess.run([sys.executable, script, *forwarded, "--db", db], check=False)
        if result.returncode != 0:
            sys.exit(result.returncode)


def keep_standard_http() -> None:
    """Take bench/ off the path (bench/http.py would shadow `http`); put the project on it."""
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    sys.path.insert(0, str(ROOT))


# ----------------------------------------------------------------------------- the database


def _pg_admin() -> Any:
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


def pg_exists(database: str) -> bool:
    with _pg_admin() as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        return found.fetchone() is not None


def pg_recreate(database: str) -> None:
    pg_drop(database)
    with _pg_admin() as admin:
        admin.execute(f"CREATE DATABASE {database}")


def pg_drop(database: str) -> None:
    with _pg_admin() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


@contextmanager
def django_database(db: str, name: str, title: str, keep: Path | None = None) -> Iterator[None]:
    """Django set up on a migrated database of this run's own, thrown away afterwards.

    `name` names the PostgreSQL database (with the process id added, so runs side by side never
    meet) and the temporary data directory. With `keep`, the data directory is `keep`, the
    PostgreSQL database is `name` itself, and both stay for the next run to reuse.
    """
    work = keep or Path(tempfile.mkdtemp(prefix=f"{name.replace('_', '-')}-"))
    work.mkdir(parents=True, exist_ok=True)
    # Settings create the data directory; it must never be the developer's ./sigap-data.
    os.environ["SIGAP_DATA_DIR"] = str(work)
    os.environ["SIGAP_SECRET_KEY"] = "bench-only-not-a-secret"
    os.environ["SIGAP_LOG_LEVEL"] = "ERROR"
    database = name if keep else f"{name}_{os.getpid()}"
    if db == "sqlite":
        os.environ["SIGAP_DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        if keep is None or not pg_exists(database):
            pg_recreate(database)
        os.environ["SIGAP_DATABASE_URL"] = f"{PG_SERVER}/{database}?conn_max_age=600"
    os.environ["DJANGO_SETTINGS_MODULE"] = "sigap.settings"
    keep_standard_http()
    import django

    django.setup()
    print(f"\n=== {title}", flush=True)
    try:
        started = time.monotonic()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        say(f"migrated in {time.monotonic() - started:.1f}s")
        yield
    finally:
        from django.db import connections

        connections.close_all()
        if keep is None:
            if db == "postgres":
                pg_drop(database)
            shutil.rmtree(work, ignore_errors=True)


def analyze() -> None:
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # What `PRAGMA optimize` would do for a connection that has used these tables;
            # the limit keeps ANALYZE to a sample per index (seconds, not minutes, at 1M rows).
            cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
    say(f"ANALYZE in {time.monotonic() - started:.1f}s")


# ----------------------------------------------------------------------------- processes


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sigap_start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`sigap ARGS` in the background, its output in `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "sigap", *args],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def serve(
    env: dict[str, str], port: int, log: Path, *, workers: bool = False
) -> subprocess.Popen[bytes]:
    """A real `sigap serve` on 127.0.0.1:port, once it answers /healthz."""
    args = ["serve", "--port", str(port)] + ([] if workers else ["--no-workers"])
    server = sigap_start(args, env, log)
    import httpx

    # Migrating and installing the bundled SOPs take a while on a busy machine.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"sigap serve exited:\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("sigap serve did not answer")


def stop(processes: Sequence[subprocess.Popen[bytes]], timeout: float = 20) -> None:
    """SIGTERM to all, then wait for each (killed if it hangs)."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ----------------------------------------------------------------------------- loading


class Progress:
    @staticmethod
    def line(text: str, final: bool = False) -> None:
        """A status line: redrawn in place on a terminal, printed only when final in a log."""
        if sys.stdout.isatty():
            print(f"\r  {text:<70}", end="\n" if final else "", flush=True)
        elif final:
            print(f"  {text}", flush=True)

    def __init__(self, label: str, total: int) -> None:
        self.label = label
        self.total = total
        self.started = time.monotonic()
        self.is_terminal = sys.stdout.isatty()
        self.last = 0.0

    def show(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last < (0.2 if self.is_terminal else 15):
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        text = f"  {self.label}: {done:,}/{self.total:,} ({rate:,.0f}/s)"
        print(
            f"\r{text}" if self.is_terminal else text,
            end="" if self.is_terminal else "\n",
            flush=True,
        )

    def done(self, rows: int) -> None:
        took = time.monotonic() - self.started
        end = "\r" if self.is_terminal else ""
        print(f"{end}  {self.label}: {rows:,} in {took:.0f}s" + " " * 20, flush=True)


class BulkLoader:
    """Raw bulk inserts with the tables' secondary indexes dropped, then rebuilt in one pass.

    The indexes rebuilt are exactly the ones the migrations made, read back from the database.
    Rows go in with executemany in one transaction (SQLite) or COPY (PostgreSQL).
    """

    BATCH = 50_000

    def __init__(self, tables: Sequence[str]) -> None:
        self.tables = tuple(tables)
        self.columns: dict[str, list[tuple[str, Callable[[Any], Any], Any]]] = {}
        self.indexes: list[tuple[str, str]] = []

    def __enter__(self) -> BulkLoader:
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
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
                f"AND tbl_name IN ({','.join('?' * len(self.tables))})",
                self.tables,
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
                    [list(self.tables)],
                )
                self.indexes = list(cursor.fetchall())
                for name, _sql in self.indexes:
                    cursor.execute(f'DROP INDEX "{name}"')
            self.raw.commit()
        return self

    def _models(self) -> list[Any]:
        from django.apps import apps

        return [m for m in apps.get_models() if m._meta.db_table in self.tables]

    def _columns(self, table: str) -> list[tuple[str, Callable[[Any], Any], Any]]:
        """Each column of the table: its name, how to adapt a value to it, and its field."""
        if table not in self.columns:
            model = next(m for m in self._models() if m._meta.db_table == table)
            self.columns[table] = [
                (f.column, self._adapter(f.get_internal_type()), f)
                for f in model._meta.concrete_fields
            ]
        return self.columns[table]

    def _adapter(self, internal: str) -> Callable[[Any], Any]:
        if self.vendor == "sqlite" and internal == "DateTimeField":
            # As Django stores them on SQLite: naive UTC text.
            return lambda v: None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))
        return lambda v: v

    def flush(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Write the rows and empty the list. Columns a row leaves out get the field's default."""
        if not rows:
            return
        columns = self._columns(table)
        for name, _adapt, field in columns:
            if name in rows[0]:
                continue
            if not field.has_default() and not field.null:
                script = Path(sys.argv[0]).name
                raise SystemExit(f"bench/{script} does not fill {table}.{name}; add it")
            for row in rows:
                row[name] = field.get_default() if field.has_default() else None
        values = [tuple(adapt(row[name]) for name, adapt, _ in columns) for row in rows]
        names = ", ".join(f'"{name}"' for name, _, _ in columns)
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

    def load(
        self,
        table: str,
        items: Iterable[dict[str, Any] | list[dict[str, Any]]],
        total: int,
        label: str,
    ) -> None:
        """Load one table; each item is a row, or the rows of one of `total` things."""
        progress = Progress(label, total)
        batch: list[dict[str, Any]] = []
        written = 0
        for done, item in enumerate(items, start=1):
            if isinstance(item, list):
                batch += item
            else:
                batch.append(item)
            if len(batch) >= self.BATCH:
                written += len(batch)
                self.flush(table, batch)
                progress.show(done)
        written += len(batch)
        self.flush(table, batch)
        progress.done(written)

    def __exit__(self, *exc: object) -> None:
        from django.core.management.color import no_style

        started = time.monotonic()
        if self.vendor == "sqlite":
            self.raw.execute("COMMIT")
            for number, (name, sql) in enumerate(self.indexes, start=1):
                Progress.line(f"indexes {number}/{len(self.indexes)} {name}")
                self.raw.execute(sql)
            self.raw.execute("PRAGMA journal_mode=WAL")
            self.raw.execute("PRAGMA foreign_keys=ON")
        else:
            with self.raw.cursor() as cursor:
                for number, (name, sql) in enumerate(self.indexes, start=1):
                    Progress.line(f"indexes {number}/{len(self.indexes)} {name}")
                    cursor.execute(sql)
                cursor.execute("SET session_replication_role = origin")
                resets = self.connection.ops.sequence_reset_sql(no_style(), self._models())
                for statement in resets:
                    cursor.execute(statement)
            self.raw.commit()
        took = time.monotonic() - started
        Progress.line(f"{len(self.indexes)} indexes built in {took:.0f}s", final=True)


# ----------------------------------------------------------------------------- measuring


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def samples_ms(call: Callable[[], Any], runs: int) -> list[float]:
    """How long each of `runs` calls took, in milliseconds."""
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


@contextmanager
def sql_sent() -> Iterator[list[tuple[str, Any]]]:
    """Every statement sent on the default connection inside the block, with its parameters."""
    from django.db import connection

    sent: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        yield sent


def explain(sql: str, params: Any, *, costs: bool = True) -> list[str]:
    """The plan of the very SQL and parameters sent: EXPLAIN QUERY PLAN on SQLite, EXPLAIN
    (ANALYZE, BUFFERS) on PostgreSQL; in a transaction rolled back, as ANALYZE runs it."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            lines = [row[3] for row in cursor.fetchall()]
        else:
            options = "ANALYZE, BUFFERS" + ("" if costs else ", COSTS OFF")
            cursor.execute(f"EXPLAIN ({options}) {sql}", params)
            lines = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return lines
