"""A PostgreSQL cluster of the test's own (initdb/pg_ctl on a free loopback port), so a test
may stop and restart it without disturbing anyone else's database."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.smtp import free_port


@dataclass
class Cluster:
    bin: Path
    data: Path
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/sigap"

    def _run(self, *command: str) -> None:
        done = subprocess.run(  # noqa: S603 - our own PostgreSQL tools, no shell
            [*self.as_user, *command], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stdout}\n{done.stderr}")

    def pg_ctl(self, *arguments: str) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *arguments)

    def restart(self) -> None:
        """Stop at once, cutting every connection and aborting open transactions; start again."""
        self.pg_ctl("restart", "-m", "fast", "-l", str(self.data / "server.log"))


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@contextmanager
def private_postgres() -> Iterator[Cluster]:
    binaries = _binaries()
    if binaries is None:
        raise FileNotFoundError("initdb not found under /usr/lib/postgresql/*/bin")
    # PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user, in
    # a folder that user can reach (pytest's own temporary folders are root-only).
    root = Path(tempfile.mkdtemp(prefix="sigap-pg-", dir="/tmp"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(bin=binaries, data=root / "data", port=free_port(), as_user=as_user)
    try:
        cluster._run(
            str(binaries / "initdb"),
            "-D",
            str(cluster.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        options = (
            f"-p {cluster.port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off "
            "-c full_page_writes=off -c max_connections=50"
        )
        cluster.pg_ctl("start", "-o", options, "-l", str(cluster.data / "server.log"))
        cluster._run(
            str(binaries / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            "postgres",
            "sigap",
        )
        yield cluster
    finally:
        with suppress(RuntimeError):
            cluster.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(root, ignore_errors=True)
