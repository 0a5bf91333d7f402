"""A one-line progress bar for the terminal; plain milestone lines when output is not a terminal."""

from __future__ import annotations

import time
from collections.abc import Callable


class ProgressBar:
    def __init__(
        self, write: Callable[[str], None], total: int, *, is_terminal: bool, width: int = 30
    ) -> None:
        self.write = write
        self.total = max(total, 1)
        self.width = width
        self._is_terminal = is_terminal
        self._started = time.monotonic()
        self._last_draw = 0.0
        self._last_milestone = -1
        self._has_drawn = False

    def update(self, done: int, label: str) -> None:
        fraction = min(done / self.total, 1.0)
        if self._is_terminal:
            now = time.monotonic()
            # Redrawing on every row would cost more than the rows themselves.
            if done < self.total and now - self._last_draw < 0.05:
                return
            self._last_draw = now
            self._has_drawn = True
            filled = int(fraction * self.width)
            bar = "#" * filled + "-" * (self.width - filled)
            elapsed = now - self._started
            self.write(f"\r[{bar}] {fraction:4.0%} {done}/{self.total} {label:<24} {elapsed:5.1f}s")
        else:
            # Logs and pipes get a line per quarter, not a wall of carriage returns.
            milestone = int(fraction * 4)
            if milestone > self._last_milestone:
                self._last_milestone = milestone
                self.write(f"{fraction:4.0%} {done}/{self.total} {label}\n")

    def finish(self) -> None:
        if self._has_drawn:
            self.write("\n")
