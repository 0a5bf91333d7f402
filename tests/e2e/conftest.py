"""Screenshots of the desk, kept where a reviewer can open them and listed after the run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.desk import Shots

_SHOTS = pytest.StashKey[Shots]()


@pytest.fixture(scope="session")
def shots(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Shots:
    """Into SIGAP_SCREENSHOT_DIR when it is set, else into a directory of this test run."""
    chosen = os.environ.get("SIGAP_SCREENSHOT_DIR")
    root = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    root.mkdir(parents=True, exist_ok=True)
    found = Shots(root, [])
    request.config.stash[_SHOTS] = found
    return found


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    found = config.stash.get(_SHOTS, None)
    if found is None or not found.taken:
        return
    terminalreporter.section("screenshots of the desk")
    terminalreporter.write_line(f"{len(found.taken)} in {found.root}:")
    for path in found.taken:
        terminalreporter.write_line(f"  {path}")
