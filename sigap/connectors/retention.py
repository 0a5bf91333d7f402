"""Raw bodies of processed deliveries are kept for a while, then removed.

They hold customers' personal data and are only needed while something may go wrong with them.
A quarantined delivery keeps its body until it is processed; the delivery row itself (status,
ids, the ticket it made) stays, so replays are still recognised and the history is complete.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache

from sigap.connectors.models import DeliveryStatus, InboundDelivery
from sigap.core import clock
from sigap.core.env import env_int

# Looked at once an hour across all nodes (the cache key is shared when Redis is).
INTERVAL_SECONDS = 3600
BATCH = 1000
_REMOVABLE = [DeliveryStatus.ACCEPTED, DeliveryStatus.DUPLICATE, DeliveryStatus.IGNORED]


def retention_days() -> int:
    configured = getattr(settings, "CONNECTOR_RAW_RETENTION_DAYS", None)
    if configured is None:
        configured = env_int("SIGAP_CONNECTOR_RAW_DAYS", 30)
    return int(configured)


def deliveries_remove_old_raw(*, force: bool = False) -> int:
    """Clear the raw body and headers of processed deliveries older than the retention."""
    if not force and not cache.add("sigap:connectors:raw-retention", 1, INTERVAL_SECONDS):
        return 0
    now = clock.now()
    old = InboundDelivery.objects.filter(
        status__in=_REMOVABLE,
        received_at__lt=now - timedelta(days=retention_days()),
        raw_removed_at__isnull=True,
    )
    ids = list(old.order_by("status", "received_at").values_list("pk", flat=True)[:BATCH])
    return InboundDelivery.objects.filter(pk__in=ids).update(
        raw=b"", headers={}, raw_removed_at=now
    )
