"""`sigap backup` then `sigap restore` into an empty desk gives back every ticket, message, event
and attachment; a changed archive or a desk in use is refused with nothing touched."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from sigap.accounts.models import User
from sigap.core.backup import backup_create, backup_restore
from sigap.core.errors import Conflict, InvalidInput
from sigap.intake.models import Mailbox
from sigap.tickets.models import Attachment, Ticket
from tests.conftest import on_postgres
from tests.trust.desk_data import desk_build, files, rows

SQLITE = "django.db.backends.sqlite3"
# The backup reads the database through a connection of its own: the data must be committed.
# These restore into SQLite files; test_backup_restore_postgres.py is the PostgreSQL pass.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(on_postgres(), reason="SQLite round trip; see the PostgreSQL tests"),
]


def _sqlite_target(root: Path) -> dict[str, Any]:
    return {"ENGINE": SQLITE, "NAME": str(root / "sigap.sqlite3")}


def _restore_into(archive: Path, root: Path, **options: Any) -> Any:
    return backup_restore(
        archive=archive,
        database=_sqlite_target(root),
        attachments_dir=root / "attachments",
        data_dir=root,
        **options,
    )


@pytest.fixture
def desk(mailbox: Mailbox, agent: User) -> None:
    desk_build(mailbox, agent)


@pytest.mark.usefixtures("desk")
def test_a_restored_sqlite_desk_has_every_row_and_file_back(
    attachments_dir: Path, tmp_path: Path
) -> None:
    made = backup_create(destination=tmp_path / "backups")
    name = connection.settings_dict["NAME"]
    # Raw rows on both sides, as SQLite stores them, not as Django converts them.
    with sqlite3.connect(name, uri=name.startswith("file:")) as source:
        before = rows(source.cursor())
    originals = files(attachments_dir)
    assert len(before["tickets_ticket"]) == 3
    assert len(originals) == 6

    restored = _restore_into(made.path, tmp_path / "new")

    assert restored.attachments == 6
    with sqlite3.connect(tmp_path / "new" / "sigap.sqlite3") as copy:
        assert rows(copy.cursor()) == before
    assert files(tmp_path / "new" / "attachments") == originals
    for attachment in Attachment.objects.all():
        restored_bytes = originals[attachment.storage_key]
        assert hashlib.sha256(restored_bytes).hexdigest() == attachment.sha256


@pytest.mark.usefixtures("desk")
def test_the_manifest_names_every_file_with_its_checksum(tmp_path: Path) -> None:
    made = backup_create(destination=tmp_path)

    with tarfile.open(made.path) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
        names = set(archive.getnames())
    assert manifest["format"] == "sigap-backup"
    assert manifest["version"] == 1
    assert manifest["database"] == {"engine": "sqlite", "file": "database/sigap.sqlite3"}
    listed = {entry["path"] for entry in manifest["files"]}
    assert listed == names - {"manifest.json"}
    assert sum(name.startswith("attachments/") for name in listed) == 6
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"])


def _rewrite(archive: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of `archive` with members replaced (bytes) or left out (None)."""
    changed = archive.with_name("changed.tar.gz")
    with tarfile.open(archive) as source, tarfile.open(changed, "w:gz") as target:
        for member in source:
            payload = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name in change:
                replacement = change[member.name]
                if replacement is None:
                    continue
                payload = replacement
                member.size = len(payload)
            target.addfile(member, io.BytesIO(payload))
    return changed


def _first_attachment(archive: Path) -> str:
    with tarfile.open(archive) as opened:
        return next(name for name in opened.getnames() if name.startswith("attachments/"))


@pytest.mark.usefixtures("desk")
def test_a_tampered_attachment_is_refused_and_nothing_is_restored(tmp_path: Path) -> None:
    made = backup_create(destination=tmp_path / "backups")
    name = _first_attachment(made.path)
    tampered = _rewrite(made.path, {name: b"<svg onload=alert(1)>"})

    with pytest.raises(InvalidInput) as refused:
        _restore_into(tampered, tmp_path / "new")

    assert f"{name} does not match its checksum" in refused.value.message
    assert "nothing was restored" in refused.value.message
    assert not (tmp_path / "new" / "sigap.sqlite3").exists()
    assert not (tmp_path / "new" / "attachments").exists()


@pytest.mark.usefixtures("desk")
def test_a_missing_or_added_file_is_refused(tmp_path: Path) -> None:
    made = backup_create(destination=tmp_path / "backups")
    name = _first_attachment(made.path)

    with pytest.raises(InvalidInput, match=f"{name} is missing"):
        _restore_into(_rewrite(made.path, {name: None}), tmp_path / "new")
    with pytest.raises(InvalidInput, match="database/sigap.sqlite3 does not match"):
        _restore_into(_rewrite(made.path, {"database/sigap.sqlite3": b"x"}), tmp_path / "new")


def test_a_truncated_or_foreign_archive_is_refused(tmp_path: Path) -> None:
    made = backup_create(destination=tmp_path / "backups")
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(made.path.read_bytes()[:-200])
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as archive:
        archive.addfile(tarfile.TarInfo("attachments/../../etc/passwd"), io.BytesIO(b""))
    text = tmp_path / "notes.txt"
    text.write_text("not an archive")

    with pytest.raises(InvalidInput, match="damaged or incomplete"):
        _restore_into(cut, tmp_path / "new")
    with pytest.raises(InvalidInput, match="unsafe path"):
        _restore_into(foreign, tmp_path / "new")
    with pytest.raises(InvalidInput, match="is not a Sigap backup archive"):
        _restore_into(text, tmp_path / "new")
    assert not (tmp_path / "new" / "sigap.sqlite3").exists()


@pytest.mark.usefixtures("desk")
def test_a_desk_in_use_is_refused_unless_forced(tmp_path: Path) -> None:
    made = backup_create(destination=tmp_path / "backups")
    _restore_into(made.path, tmp_path / "new")
    with sqlite3.connect(tmp_path / "new" / "sigap.sqlite3") as copy:
        copy.execute("DELETE FROM tickets_ticket WHERE id = (SELECT min(id) FROM tickets_ticket)")

    with pytest.raises(Conflict, match="already holds data"):
        _restore_into(made.path, tmp_path / "new")
    _restore_into(made.path, tmp_path / "new", force=True)

    with sqlite3.connect(tmp_path / "new" / "sigap.sqlite3") as copy:
        assert copy.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0] == 3


@pytest.mark.usefixtures("desk")
def test_the_commands_write_an_archive_and_refuse_to_overwrite_this_desk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("backup", output=tmp_path)
    archive = next(tmp_path.glob("sigap-backup-*.tar.gz"))
    assert f"Backup written: {archive}" in capsys.readouterr().out

    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(archive))
    assert Ticket.objects.count() == 3
