"""`sigap backup` and `sigap restore` as an operator runs them, in processes of their own."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def _sigap(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SIGAP_DATA_DIR": str(data_dir), "SIGAP_LANGUAGE": "en"}
    env.pop("SIGAP_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "sigap", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_desk_moves_to_a_new_data_folder(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    assert _sigap(old, "migrate", "--no-input").returncode == 0
    created = _sigap(
        old,
        "createadmin",
        "--username",
        "kepala",
        "--password",
        "Rahasia-123!",
        "--email",
        "k@x.id",
    )
    assert created.returncode == 0, created.stderr

    made = _sigap(old, "backup")
    assert made.returncode == 0, made.stderr
    archive = next((old / "backups").glob("sigap-backup-*.tar.gz"))
    restored = _sigap(new, "restore", str(archive))
    again = _sigap(new, "restore", str(archive))

    assert restored.returncode == 0, restored.stderr
    assert "Restored the backup of" in restored.stdout
    with sqlite3.connect(new / "sigap.sqlite3") as database:
        users = database.execute("SELECT username FROM accounts_user").fetchall()
    assert users == [("kepala",)]
    # Signed links and sessions made before the move still check out.
    assert (new / "secret_key").read_text() == (old / "secret_key").read_text()
    assert again.returncode == 1
    assert "already holds data" in again.stderr
