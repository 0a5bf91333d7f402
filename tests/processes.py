"""Running the desk's own processes (`sigap worker`, `sigap beat`, `sigap serve`) in tests
against the test database, and stopping them however the test ends."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from django.db import connection


def database_url() -> str:
    """The test database as SIGAP_DATABASE_URL, for a process started by the test."""
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or "5432"
    return f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"


def sigap_process(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`sigap ARGS` in the background, its output in `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "sigap", *args],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def wait_until_up(port: int, log: Path, seconds: float = 60) -> None:
    """Until `sigap serve` on `port` answers /healthz; fails with its log if it never does."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").text == "ok":
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


@contextmanager
def running(processes: list[subprocess.Popen[bytes]]) -> Iterator[None]:
    """Stop every process when the block ends, and wait for them to go."""
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)


@contextmanager
def celery_cluster(env: dict[str, str], logs: Path) -> Iterator[None]:
    """Two `sigap worker` processes and one `sigap beat`, as a scaled-out desk runs them."""
    with running(
        [
            sigap_process(["worker", "--concurrency=2"], env, logs / "worker1.log"),
            sigap_process(["worker", "--concurrency=2"], env, logs / "worker2.log"),
            sigap_process(["beat"], env, logs / "beat.log"),
        ]
    ):
        yield
