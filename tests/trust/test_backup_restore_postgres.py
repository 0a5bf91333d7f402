"""The same round trip on PostgreSQL: pg_dump into the archive, pg_restore into a new database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from sigap.accounts.models import User
from sigap.core.backup import backup_create, backup_restore
from sigap.core.errors import Conflict, InvalidInput
from sigap.intake.models import Mailbox
from tests.trust.desk_data import desk_build, files, rows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _connect(settings: dict[str, Any], name: str) -> psycopg.Connection[Any]:
    return psycopg.connect(
        dbname=name,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or "5432",
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )


@pytest.fixture
def empty_database() -> Iterator[dict[str, Any]]:
    """A new, empty PostgreSQL database beside the test database, dropped afterwards."""
    settings = connection.settings_dict
    name = f"{settings['NAME']}_restored"
    with _connect(settings, "postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield {**settings, "NAME": name}
    with _connect(settings, "postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restored_postgresql_desk_has_every_row_and_file_back(
    mailbox: Mailbox,
    agent: User,
    attachments_dir: Path,
    tmp_path: Path,
    empty_database: dict[str, Any],
) -> None:
    desk_build(mailbox, agent)
    made = backup_create(destination=tmp_path / "backups")
    assert made.engine == "postgresql"
    with _connect(connection.settings_dict, connection.settings_dict["NAME"]) as source:
        before = rows(source.cursor())
    originals = files(attachments_dir)
    assert len(before["tickets_ticketevent"]) > 9
    assert len(originals) == 6

    restored = backup_restore(
        archive=made.path,
        database=empty_database,
        attachments_dir=tmp_path / "new" / "attachments",
        data_dir=tmp_path / "new",
    )

    assert restored.attachments == 6
    with _connect(empty_database, empty_database["NAME"]) as copy:
        assert rows(copy.cursor()) == before
    assert files(tmp_path / "new" / "attachments") == originals

    # Now it holds a desk: a second restore is refused unless forced, and forced it works.
    with pytest.raises(Conflict, match="already holds data"):
        backup_restore(
            archive=made.path,
            database=empty_database,
            attachments_dir=tmp_path / "new" / "attachments",
            data_dir=tmp_path / "new",
        )
    backup_restore(
        archive=made.path,
        database=empty_database,
        attachments_dir=tmp_path / "new" / "attachments",
        data_dir=tmp_path / "new",
        force=True,
    )
    with _connect(empty_database, empty_database["NAME"]) as copy:
        assert rows(copy.cursor()) == before


def test_a_sqlite_backup_is_not_poured_into_postgresql(
    tmp_path: Path, empty_database: dict[str, Any]
) -> None:
    made = backup_create(destination=tmp_path)
    sqlite_target = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "x.db")}

    with pytest.raises(Conflict, match="holds a postgresql database"):
        backup_restore(
            archive=made.path,
            database=sqlite_target,
            attachments_dir=tmp_path / "a",
            data_dir=tmp_path,
        )
    with pytest.raises(InvalidInput):
        backup_restore(
            archive=tmp_path / "nothing.tar.gz",
            database=empty_database,
            attachments_dir=tmp_path / "a",
            data_dir=tmp_path,
        )
