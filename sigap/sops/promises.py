"""Finding the times an agent promises in a reply, in Indonesian or English.

"Your replacement ships within 48 hours", "kami proses dalam 2x24 jam", "besok kami kabari":
each becomes a commitment with a due time. Pure: the text and the time in, promises out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_UNITS = {
    "minute": timedelta(minutes=1),
    "minutes": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "mins": timedelta(minutes=1),
    "menit": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "hours": timedelta(hours=1),
    "hr": timedelta(hours=1),
    "hrs": timedelta(hours=1),
    "jam": timedelta(hours=1),
    "day": timedelta(days=1),
    "days": timedelta(days=1),
    "hari": timedelta(days=1),
}
_NUMBER = r"(\d{1,3})"
_UNIT = r"(minutes?|mins?|hours?|hrs?|days?|menit|jam|hari)"
_PATTERNS = [
    # "2x24 jam", "3 x 24 jam": the Indonesian way of promising whole days.
    re.compile(rf"\b{_NUMBER}\s*x\s*24\s*jam\b", re.I),
    re.compile(
        rf"\b(?:within|in|dalam(?:\s+waktu)?|maksimal|paling\s+lambat)\s+{_NUMBER}\s*{_UNIT}\b",
        re.I,
    ),
]
_TOMORROW = re.compile(r"\b(?:tomorrow|besok)\b", re.I)
# "Tomorrow" means by the end of tomorrow's working day.
END_OF_DAY = time(17, 0)


@dataclass(frozen=True)
class FoundPromise:
    phrase: str
    due_at: datetime


def find_promises(text: str, *, now: datetime, zone: str = "Asia/Jakarta") -> list[FoundPromise]:
    # (start, end, promise); where two readings overlap ("2x24 jam" holds "24 jam") the first
    # pattern's reading wins.
    found: list[tuple[int, int, FoundPromise]] = []

    def add(match: re.Match[str], due: datetime) -> None:
        start, end = match.span()
        if not any(s < end and start < e for s, e, _ in found):
            found.append((start, end, FoundPromise(match.group(0), due)))

    for match in _PATTERNS[0].finditer(text):
        add(match, now + timedelta(days=int(match.group(1))))
    for match in _PATTERNS[1].finditer(text):
        amount, unit = int(match.group(1)), match.group(2).lower()
        if amount > 0:
            add(match, now + amount * _UNITS[unit])
    for match in _TOMORROW.finditer(text):
        local = now.astimezone(ZoneInfo(zone))
        add(match, datetime.combine(local.date() + timedelta(days=1), END_OF_DAY, local.tzinfo))
    return sorted((promise for _, _, promise in found), key=lambda p: p.due_at)
