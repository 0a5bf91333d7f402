"""The one place Sigap asks what time it is, so tests can set the clock."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
