"""The progress bar of `sigap backup` and `sigap restore` (the demo loader's bar, reused)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from sigap.core.backup import Progress
from sigap.demo.progress import ProgressBar


def terminal_progress(out: Any, terminal: TextIO) -> tuple[Progress, Callable[[], None]]:
    """A Progress that draws a bar once the total is known, and the function that ends it."""
    is_terminal = out.isatty() and terminal.isatty()
    bars: dict[int, ProgressBar] = {}

    def write(text: str) -> None:
        if is_terminal:
            terminal.write(text)
            terminal.flush()
        else:
            out.write(text, ending="")

    def progress(done: int, total: int, label: str) -> None:
        if total <= 0:
            return  # still counting: checking an archive before its size is known
        bar = bars.get(total)
        if bar is None:
            for old in bars.values():
                old.finish()
            bars.clear()
            bar = bars[total] = ProgressBar(write, total, is_terminal=is_terminal)
        bar.update(done, label)

    def finish() -> None:
        for bar in bars.values():
            bar.finish()

    return progress, finish
