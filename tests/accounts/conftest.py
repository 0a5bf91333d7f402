from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # Throttle counts live in the cache; each test starts with none.
    cache.clear()
