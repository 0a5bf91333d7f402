"""Naming the field at fault in nested input, the way people read it: `targets[0].channel`."""

from __future__ import annotations

from collections.abc import Iterable


def field_path(location: Iterable[int | str]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
