"""Waking the workers never holds up a commit, however slow the broker, and a burst of
wake-ups asked for while one is being sent goes out as one."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from sigap.core import tasks


def _eventually(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "still not so after 10 s"
        time.sleep(0.01)


def test_a_stuck_broker_never_holds_up_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    broker_back = threading.Event()
    sent: list[int] = []

    def send() -> None:
        sent.append(1)
        broker_back.wait(10)  # as a publish waits for a broker that does not answer

    monkeypatch.setattr(tasks, "_send_wake_up", send)
    waker = tasks._Waker()
    waker()
    _eventually(lambda: sent == [1])

    for _ in range(5):
        waker()  # returns although the first wake-up is still stuck
    assert sent == [1]

    broker_back.set()
    _eventually(lambda: len(sent) == 2)
    assert not waker._asked.is_set()  # the five became one
