"""The Celery runner for background jobs (scaled-out mode: `sigap worker` and `sigap beat`)."""

from __future__ import annotations

import logging
import os
import threading

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")

logger = logging.getLogger(__name__)

app = Celery("sigap")
app.conf.update(
    broker_url=settings.CELERY_BROKER_URL,
    task_ignore_result=True,
    worker_prefetch_multiplier=1,
    task_acks_late=True,
    broker_connection_retry_on_startup=True,
    beat_schedule={
        # Cheap: finding due jobs is one index range scan on job_due_idx.
        "run-due-jobs": {"task": "sigap.run_due_jobs", "schedule": settings.JOBS_POLL_SECONDS},
    },
)


@app.task(name="sigap.run_due_jobs")  # type: ignore[untyped-decorator]
def run_due_jobs_task() -> int:
    from django.db import close_old_connections

    from sigap.core.jobs import run_due_jobs

    close_old_connections()
    try:
        return run_due_jobs()
    finally:
        close_old_connections()


def _send_wake_up() -> None:
    try:
        run_due_jobs_task.apply_async(retry=False)
    except Exception:  # the broker is away; the job waits for beat, it is not lost
        logger.warning("could not wake the workers; beat's next tick runs the job", exc_info=True)


class _Waker:
    """Sends wake-ups from a thread of its own, so a commit never waits for the broker (it
    may be away for seconds), and wake-ups asked for while one is being sent become one."""

    def __init__(self) -> None:
        self._asked = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def __call__(self) -> None:
        self._asked.set()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="sigap-wake", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            self._asked.wait()
            self._asked.clear()
            _send_wake_up()


# Ask a worker to run the due jobs now: a reply reaches its customer in milliseconds instead
# of after beat's next tick. Best effort: beat still runs them within a tick.
wake_workers = _Waker()
