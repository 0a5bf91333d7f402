"""Calls started at the same moment on threads of their own, as workers of a real desk start
them, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def at_once(
    calls: list[Callable[[], T]], *, seconds: int = 120
) -> tuple[list[T], list[BaseException]]:
    """Run every call at once; returns what they returned and what they raised, in the order
    they finished. A failure is reported, not lost in its thread."""
    start = threading.Barrier(len(calls))
    returned: list[T] = []
    failures: list[BaseException] = []

    def run(call: Callable[[], T]) -> None:
        try:
            start.wait()
            returned.append(call())
        except BaseException as error:  # the test reports it
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds)
    return returned, failures
