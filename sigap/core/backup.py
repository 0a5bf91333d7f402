"""`sigap backup` and `sigap restore`: the whole desk in one archive, and back.

The archive (tar.gz) holds the database (SQLite online backup or pg_dump), every attachment
file, the secret key (so signed links and sessions keep working) and `manifest.json`: format
version, creation time, database engine, and each file with its size and SHA-256. A restore
reads the whole archive and checks every checksum before it writes anything, so a damaged or
tampered archive is refused with nothing changed; then the database is put in place in one
step and the attachments folder in one rename.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

import sigap
from sigap.core import clock
from sigap.core.backup_database import (
    DUMP_NAMES,
    database_dump,
    database_is_empty,
    database_load,
    engine_of,
)
from sigap.core.errors import Conflict, InvalidInput

FORMAT = "sigap-backup"
VERSION = 1
MANIFEST = "manifest.json"
ATTACHMENTS = "attachments"
SECRET_KEY = "secret_key"  # nosec B105  # a file name in the archive
ARCHIVE_PREFIX = "sigap-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
_CHUNK = 1024 * 1024

# (units done, units in all, what is being done): drives the CLI's progress bar.
Progress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, label: str) -> None:
    return None


@dataclass(frozen=True)
class BackupMade:
    path: Path
    created_at: datetime
    engine: str
    files: int
    size: int


@dataclass(frozen=True)
class Restored:
    created_at: str
    engine: str
    attachments: int


class _Hashing:
    """A file object that hashes what tarfile reads from it."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


def _attachment_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(path for path in directory.rglob("*") if path.is_file())


def archive_name(at: datetime) -> str:
    return f"{ARCHIVE_PREFIX}{at.strftime('%Y%m%d-%H%M%S')}{ARCHIVE_SUFFIX}"


def backup_create(
    *, destination: Path, progress: Progress = _no_progress, alias: str = DEFAULT_DB_ALIAS
) -> BackupMade:
    """Write one archive of the database and the attachments into the folder `destination`.

    The archive appears under its final name only when complete.
    """
    engine = engine_of(connections[alias].settings_dict)
    created_at = clock.now()
    destination.mkdir(parents=True, exist_ok=True)
    files = _attachment_files(Path(settings.ATTACHMENTS_DIR))
    total = 100 + len(files)
    final = destination / archive_name(created_at)
    entries: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(dir=destination, prefix=".backup-") as work:
        dump = Path(work) / "database"
        database_dump(
            alias=alias,
            target=dump,
            step=lambda done, of: progress(done * 100 // max(of, 1), total, _("database")),
        )
        partial = Path(work) / "archive.partial"
        # Level 1: attachments are mostly photos and PDFs, compressed already; the database
        # text gets most of what a higher level would give, at a fraction of the time.
        with tarfile.open(partial, "w:gz", compresslevel=1) as archive:
            entries.append(_add(archive, dump, DUMP_NAMES[engine]))
            key_file = Path(settings.DATA_DIR) / SECRET_KEY
            if key_file.is_file():
                entries.append(_add(archive, key_file, SECRET_KEY))
            root = Path(settings.ATTACHMENTS_DIR)
            for number, path in enumerate(files, start=1):
                name = f"{ATTACHMENTS}/{path.relative_to(root).as_posix()}"
                entries.append(_add(archive, path, name))
                progress(100 + number, total, _("attachments"))
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "sigap_version": getattr(sigap, "__version__", ""),
                "created_at": created_at.isoformat(),
                "database": {"engine": engine, "file": DUMP_NAMES[engine]},
                "files": entries,
            }
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1).encode())
        os.replace(partial, final)
    progress(total, total, _("done"))
    return BackupMade(
        path=final,
        created_at=created_at,
        engine=engine,
        files=len(entries),
        size=final.stat().st_size,
    )


def _add(archive: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with path.open("rb") as handle:
        reader = _Hashing(handle)
        archive.addfile(info, reader)
    return {"path": name, "size": info.size, "sha256": reader.digest.hexdigest()}


def _add_bytes(archive: tarfile.TarFile, name: str, payload: bytes) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size = len(payload)
    info.mode = 0o600
    info.mtime = int(clock.now().timestamp())
    archive.addfile(info, io.BytesIO(payload))


# --- restore -----------------------------------------------------------------------------------


def _safe_name(name: str) -> str:
    """The member's name if it is a plain relative path this format writes, else refused."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise InvalidInput(_("The archive holds an unsafe path: %(name)s") % {"name": name})
    allowed = name in (MANIFEST, SECRET_KEY) or path.parts[0] in ("database", ATTACHMENTS)
    if not allowed:
        raise InvalidInput(_("The archive holds an unexpected file: %(name)s") % {"name": name})
    return name


def _members(archive: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    for member in archive:
        if member.isdir():
            continue
        if not member.isfile():
            raise InvalidInput(
                _("The archive holds a link or device, which a backup never does: %(name)s")
                % {"name": member.name}
            )
        handle = archive.extractfile(member)
        assert handle is not None  # a regular file always has content
        yield member, handle


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:gz")
    except FileNotFoundError:
        raise InvalidInput(_("There is no file %(path)s.") % {"path": path}) from None
    except (tarfile.TarError, OSError) as error:
        raise InvalidInput(
            _("%(path)s is not a Sigap backup archive: %(error)s") % {"path": path, "error": error}
        ) from None


def backup_verify(path: Path, progress: Progress = _no_progress) -> dict[str, Any]:
    """Read the whole archive and check it against its manifest; returns the manifest.

    Refuses (InvalidInput, saying what is wrong) an archive that is not ours, is cut short, has
    a file changed, missing or added, or names a path outside its own folders.
    """
    found: dict[str, tuple[int, str]] = {}
    manifest_bytes = b""
    try:
        with _open(path) as archive:
            for member, handle in _members(archive):
                name = _safe_name(member.name)
                if name == MANIFEST:
                    manifest_bytes = handle.read(10 * _CHUNK)
                    continue
                digest = hashlib.sha256()
                size = 0
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                found[name] = (size, digest.hexdigest())
                progress(len(found), 0, _("checking"))
    except (tarfile.TarError, EOFError, OSError) as error:
        raise InvalidInput(
            _("The archive is damaged or incomplete: %(error)s") % {"error": error}
        ) from None
    manifest = _manifest(manifest_bytes)
    listed = {entry["path"]: (entry["size"], entry["sha256"]) for entry in manifest["files"]}
    problems = [
        _("%(name)s does not match its checksum") % {"name": name}
        for name in sorted(set(listed) & set(found))
        if listed[name] != found[name]
    ]
    missing = sorted(set(listed) - set(found))
    problems += [_("%(name)s is missing") % {"name": name} for name in missing]
    problems += [
        _("%(name)s is not in the manifest") % {"name": name}
        for name in sorted(set(found) - set(listed))
    ]
    if problems:
        raise InvalidInput(
            _(
                "The archive was changed or damaged after it was made; nothing was restored. "
                "%(problems)s."
            )
            % {"problems": "; ".join(problems[:10])}
        )
    return manifest


def _manifest(raw: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(raw) if raw else None
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput(_("The archive has no Sigap backup manifest."))
    if not isinstance(manifest.get("version"), int) or manifest["version"] > VERSION:
        raise InvalidInput(
            _(
                "The backup was made in format %(found)s; this Sigap reads format %(known)s "
                "or older."
            )
            % {"found": manifest.get("version"), "known": VERSION}
        )
    files = manifest.get("files")
    database = manifest.get("database")
    if (
        not isinstance(files, list)
        or not all(isinstance(f, dict) and {"path", "size", "sha256"} <= set(f) for f in files)
        or not isinstance(database, dict)
        or database.get("engine") not in DUMP_NAMES
    ):
        raise InvalidInput(_("The backup manifest is malformed."))
    return manifest


def _folder_is_empty(path: Path) -> bool:
    return not path.exists() or not any(path.iterdir())


def backup_restore(
    *,
    archive: Path,
    force: bool = False,
    progress: Progress = _no_progress,
    database: dict[str, Any] | None = None,
    attachments_dir: Path | None = None,
    data_dir: Path | None = None,
) -> Restored:
    """Bring a desk back from `archive` into an empty database and attachments folder.

    `force` replaces what is there. The database, attachments folder and data folder default to
    this desk's own settings.
    """
    database = database or connections[DEFAULT_DB_ALIAS].settings_dict
    attachments_dir = Path(attachments_dir or settings.ATTACHMENTS_DIR)
    data_dir = Path(data_dir or settings.DATA_DIR)
    engine = engine_of(database)
    manifest = backup_verify(archive, progress)
    if manifest["database"]["engine"] != engine:
        raise Conflict(
            _(
                "This backup holds a %(found)s database but the desk is set up for %(engine)s; "
                "restore it with the same kind of database."
            )
            % {"found": manifest["database"]["engine"], "engine": engine}
        )
    if not force and not (database_is_empty(database) and _folder_is_empty(attachments_dir)):
        raise Conflict(
            _(
                "The desk already holds data (database or attachments). Restore into an empty "
                "one, or pass --force to replace everything in it."
            )
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as work:
        staging = Path(work)
        _extract(archive, staging, manifest)
        progress(1, 3, _("database"))
        if engine == "sqlite":
            # Django keeps the old file open otherwise, and would write to it after the rename.
            for connection in connections.all():
                if connection.settings_dict.get("NAME") == database.get("NAME"):
                    connection.close()
        database_load(database=database, dump=staging / manifest["database"]["file"], replace=force)
        progress(2, 3, _("attachments"))
        restored_files = staging / ATTACHMENTS
        restored_files.mkdir(exist_ok=True)
        count = sum(1 for path in restored_files.rglob("*") if path.is_file())
        attachments_dir.parent.mkdir(parents=True, exist_ok=True)
        if attachments_dir.exists():
            shutil.rmtree(attachments_dir)
        os.replace(restored_files, attachments_dir)
        key = staging / SECRET_KEY
        if key.is_file():
            os.replace(key, data_dir / SECRET_KEY)
    progress(3, 3, _("done"))
    return Restored(created_at=str(manifest["created_at"]), engine=engine, attachments=count)


def _extract(archive: Path, staging: Path, manifest: dict[str, Any]) -> None:
    """Write the verified archive into `staging`, checking each file again as it is written
    (the archive could have been swapped since it was verified)."""
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    with _open(archive) as opened:
        for member, handle in _members(opened):
            name = _safe_name(member.name)
            if name == MANIFEST:
                continue
            target = staging / name
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            digest = hashlib.sha256()
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            if listed.get(name) != digest.hexdigest():
                raise InvalidInput(
                    _("%(name)s changed while it was restored; nothing was restored.")
                    % {"name": name}
                )


def backups_prune(*, directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives this desk wrote in `directory`."""
    archives = sorted(
        path for path in directory.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}") if path.is_file()
    )
    removed = archives[: max(len(archives) - max(keep, 1), 0)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
