"""Copying the database out to one file and back: SQLite's online backup, or pg_dump/pg_restore.

Each function takes a Django DATABASES entry, so a restore can target a database other than the
one this process runs on.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connections
from django.utils.translation import gettext as _

from sigap.core.errors import Conflict, InvalidInput

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
DUMP_NAMES = {SQLITE: "database/sigap.sqlite3", POSTGRESQL: "database/sigap.pgdump"}
# Pages copied per step of SQLite's online backup: writers get the lock back between steps.
SQLITE_PAGES_PER_STEP = 1024
# Steps of 50 ms the backup waits on a locked database before it gives up (a minute).
SQLITE_BUSY_STEPS = 1200

Step = Callable[[int, int], None]


def engine_of(database: dict[str, Any]) -> str:
    engine = str(database["ENGINE"])
    if engine.endswith("sqlite3"):
        return SQLITE
    if engine.endswith("postgresql"):
        return POSTGRESQL
    raise InvalidInput(
        _("Backups support SQLite and PostgreSQL, not %(engine)s.") % {"engine": engine}
    )


def _pg_environment(database: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ, "PGDATABASE": str(database["NAME"]), "PGCONNECT_TIMEOUT": "10"}
    for key, variable in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")]:
        if database.get(key):
            env[variable] = str(database[key])
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        # The program is ours (pg_dump, pg_restore) and arguments are a list: no shell.
        finished = subprocess.run(  # noqa: S603  # nosec B603
            command, env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise Conflict(
            _("%(program)s is not installed; install the PostgreSQL client.")
            % {"program": command[0]}
        ) from None
    if finished.returncode != 0:
        raise Conflict(
            _("%(program)s failed: %(error)s")
            % {"program": command[0], "error": finished.stderr.strip()[-2000:]}
        )


def database_dump(*, alias: str, target: Path, step: Step) -> None:
    """Write a consistent copy of the database `alias` to `target` while the desk keeps running."""
    database = connections[alias].settings_dict
    if engine_of(database) == SQLITE:
        _sqlite_backup(str(database["NAME"]), target, step)
        return
    step(0, 1)
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)],
        _pg_environment(database),
    )
    step(1, 1)


def _sqlite_backup(name: str, target: Path, step: Step) -> None:
    # A connection of its own, outside any transaction of this process: SQLite's backup waits
    # for as long as the source has a write open on the same connection.
    source = sqlite3.connect(name, uri=name.startswith("file:"), timeout=30)
    destination = sqlite3.connect(target)
    busy = 0

    def advance(status: int, remaining: int, total: int) -> None:
        nonlocal busy
        busy = busy + 1 if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) else 0
        if busy > SQLITE_BUSY_STEPS:
            raise Conflict(_("The database stayed locked by a writer; try the backup again."))
        step(total - remaining, total)

    try:
        source.backup(destination, pages=SQLITE_PAGES_PER_STEP, progress=advance, sleep=0.05)
        # One self-contained file: no -wal beside it to forget.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
        source.close()


def database_is_empty(database: dict[str, Any]) -> bool:
    """Whether the database holds no tables at all (a new file, a new PostgreSQL database)."""
    if engine_of(database) == SQLITE:
        path = Path(str(database["NAME"]))
        if not path.exists() or path.stat().st_size == 0:
            return True
        with sqlite3.connect(path) as probe:
            tables: int = probe.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            return tables == 0
    import psycopg

    with psycopg.connect(**_pg_arguments(database)) as probe:
        row = probe.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
            "'information_schema')"
        ).fetchone()
    return row is not None and row[0] == 0


def _pg_arguments(database: dict[str, Any]) -> dict[str, Any]:
    arguments: dict[str, Any] = {"dbname": database["NAME"], "connect_timeout": 10}
    for key in ("HOST", "PORT", "USER", "PASSWORD"):
        if database.get(key):
            arguments[key.lower()] = database[key]
    return arguments


def sqlite_check(path: Path) -> None:
    with sqlite3.connect(path) as probe:
        result = probe.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise InvalidInput(
            _("The database in the backup is damaged: %(error)s") % {"error": result}
        )


def database_load(*, database: dict[str, Any], dump: Path, replace: bool) -> None:
    """Put the dumped database in place, all or nothing.

    SQLite: the checked file replaces the database file in one rename. PostgreSQL: pg_restore
    in one transaction, stopping at the first error, so a failure leaves the database as it was.
    """
    if engine_of(database) == SQLITE:
        sqlite_check(dump)
        path = Path(str(database["NAME"]))
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            leftover.unlink(missing_ok=True)
        os.replace(dump, path)
        return
    command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction"]
    command += ["--exit-on-error", "--dbname", str(database["NAME"])]
    if replace:
        command += ["--clean", "--if-exists"]
    _run([*command, str(dump)], _pg_environment(database))
