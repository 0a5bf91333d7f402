"""Mail fixtures: real .eml files, a mailbox of team A, attachments kept in a temporary folder."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from sigap.accounts.models import Team
from sigap.intake.models import Mailbox

MAIL = Path(__file__).resolve().parents[1] / "fixtures" / "mail"


def eml(name: str, **replace: str) -> bytes:
    """A fixture message; `replace` swaps placeholders such as the ticket reference."""
    raw = (MAIL / name).read_bytes()
    for old, new in replace.items():
        raw = raw.replace(old.encode(), new.encode())
    return raw


class Hung(BaseException):
    """Not an Exception, so intake's quarantine cannot swallow it."""


@contextmanager
def no_hang(seconds: int = 60) -> Iterator[None]:
    """Fail instead of hanging the suite. Not a speed check: bench/ measures speed."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def attachments_dir(settings: Any, tmp_path: Path) -> Path:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return Path(settings.ATTACHMENTS_DIR)


@pytest.fixture
def mailbox(team_a: Team) -> Mailbox:
    return Mailbox.objects.create(name="cs", team=team_a)
