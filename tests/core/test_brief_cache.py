"""A kept answer is reused until it runs out or is cleared, then read again."""

from __future__ import annotations

import pytest

from sigap.core import brief_cache
from sigap.core.brief_cache import BriefCache


def test_an_answer_is_kept_until_it_runs_out_or_is_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(brief_cache.time, "monotonic", lambda: now[0])
    reads: list[int] = []

    def load(team: int) -> str:
        reads.append(team)
        return f"policy of {team}"

    cache: BriefCache[int, str] = BriefCache(seconds=5)
    assert cache.get(1, lambda: load(1)) == "policy of 1"
    now[0] += 4.9
    assert cache.get(1, lambda: load(1)) == "policy of 1"
    assert cache.get(2, lambda: load(2)) == "policy of 2"
    assert reads == [1, 2]
    now[0] += 0.2  # team 1's answer has run out; team 2's has not
    cache.get(1, lambda: load(1))
    cache.get(2, lambda: load(2))
    assert reads == [1, 2, 1]
    cache.clear()
    cache.get(2, lambda: load(2))
    assert reads == [1, 2, 1, 2]
