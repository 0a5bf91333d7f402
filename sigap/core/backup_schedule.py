"""Backups on a schedule, taken by the job executor, with only the newest few kept.

Each interval is one slot. The first executor to see a slot without a backup claims it with a
job row whose idempotency key names the slot (unique, so two workers never both take it) and
takes the backup at once, outside any transaction, so writers are not held up while the
archive is written. The row never waits in the executor's queue: it is `done` from the claim,
with `finished_at` set when the archive is written. A failed backup is marked `dead` with the
time to try again; a claimer that died leaves its lease to run out. Either way a later pass
claims the slot again, so every slot is backed up once.
"""

from __future__ import annotations

import logging
import traceback
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from sigap.core import clock
from sigap.core.backup import backup_create, backups_prune
from sigap.core.jobs import LEASE, due_poller
from sigap.core.models import Job, JobStatus

logger = logging.getLogger(__name__)
KIND = "backup_scheduled"
MAX_ATTEMPTS = 8


def _slot_key() -> str | None:
    hours = settings.BACKUP_INTERVAL_HOURS
    if hours <= 0:
        return None
    slot = int(clock.now().timestamp() // (hours * 3600))
    return f"backup:{hours}h:{slot}"


def _claim(key: str) -> Job | None:
    """This slot's row, claimed for this process; None when it is done or someone else's."""
    now = clock.now()
    row = Job.objects.filter(idempotency_key=key).first()
    if row is None:
        try:
            with transaction.atomic():
                return Job.objects.create(
                    kind=KIND,
                    payload={},
                    status=JobStatus.DONE,
                    idempotency_key=key,
                    due_at=now + LEASE,
                    attempts=1,
                    max_attempts=MAX_ATTEMPTS,
                    created_at=now,
                )
        except IntegrityError:
            return None  # another process claimed this slot first
    # Failed earlier, or its claimer died: take it over once its wait or lease is over.
    retry = Q(status=JobStatus.DEAD) | Q(status=JobStatus.DONE, finished_at__isnull=True)
    taken = Job.objects.filter(retry, pk=row.pk, due_at__lte=now, attempts__lt=MAX_ATTEMPTS).update(
        status=JobStatus.DONE, due_at=now + LEASE, attempts=F("attempts") + 1
    )
    return row if taken else None


@due_poller("scheduled_backups")
def backups_due() -> int:
    key = _slot_key()
    if key is None:
        return 0
    claim = _claim(key)
    if claim is None:
        return 0
    directory = Path(settings.BACKUP_DIR)
    try:
        made = backup_create(destination=directory)
        removed = backups_prune(directory=directory, keep=settings.BACKUP_KEEP)
    except Exception:
        logger.exception("scheduled backup failed; it will be tried again")
        Job.objects.filter(pk=claim.pk).update(
            status=JobStatus.DEAD,
            due_at=clock.now() + timedelta(minutes=1),
            last_error=traceback.format_exc(limit=5),
        )
        return 0
    Job.objects.filter(pk=claim.pk).update(finished_at=clock.now(), last_error="")
    logger.info("backup %s written (%s bytes); %s old removed", made.path, made.size, len(removed))
    return 1
