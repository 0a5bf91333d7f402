#!/usr/bin/env python3
"""Sigap's test command: set up .venv, then lint, type-check and run the suite.

The suite runs on SQLite, and again on PostgreSQL when SIGAP_TEST_DATABASE_URL is set.
Extra arguments go to pytest, e.g. `python3 check.py -k inbox -x`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def step(title: str, command: list[str], env: dict[str, str] | None = None) -> None:
    print(f"\n=== {title}", flush=True)
    started = time.monotonic()
    # Our own fixed commands; nothing here comes from outside.
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603  # nosec B603
    took = time.monotonic() - started
    if result.returncode != 0:
        print(f"=== FAILED: {title} (exit {result.returncode}, {took:.0f}s)", flush=True)
        sys.exit(result.returncode)
    print(f"=== ok: {title} ({took:.0f}s)", flush=True)


def main() -> None:
    # Importing the settings (mypy's Django plugin does) creates the data directory: keep every
    # step out of the developer's ./sigap-data.
    os.environ["SIGAP_DATA_DIR"] = tempfile.mkdtemp(prefix="sigap-check-")
    if not (BIN / "python").exists():
        print("Creating .venv", flush=True)
        venv.create(VENV, with_pip=True)
    python = str(BIN / "python")
    step(
        "install",
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", ".[dev]"],
    )
    step(
        "ruff lint", [str(BIN / "ruff"), "check", "sigap", "tests", "bench", "scripts", "check.py"]
    )
    step(
        "ruff format",
        [str(BIN / "ruff"), "format", "--check", "sigap", "tests", "bench", "scripts", "check.py"],
    )
    step("mypy", [str(BIN / "mypy"), "sigap"])
    step(
        "bandit",
        [str(BIN / "bandit"), "-c", "pyproject.toml", "-q", "-r", "sigap", "scripts", "check.py"],
    )

    pytest_args = sys.argv[1:]
    base = dict(os.environ)
    base.pop("SIGAP_DATABASE_URL", None)
    step("tests on SQLite", [python, "-m", "pytest", *pytest_args], env=base)

    postgres = os.environ.get("SIGAP_TEST_DATABASE_URL")
    if postgres:
        on_postgres = {**base, "SIGAP_DATABASE_URL": postgres}
        step("tests on PostgreSQL", [python, "-m", "pytest", *pytest_args], env=on_postgres)
    elif os.environ.get("CI") == "true":
        print("=== FAILED: CI=true but SIGAP_TEST_DATABASE_URL is not set", flush=True)
        sys.exit(1)
    else:
        print("\n!!! SIGAP_TEST_DATABASE_URL not set: the PostgreSQL pass was SKIPPED !!!")
    print("\nAll checks passed.")


if __name__ == "__main__":
    main()
