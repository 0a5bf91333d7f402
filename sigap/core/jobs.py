"""Enqueue, claim and run background jobs; the same code runs in-process and under Celery."""

from __future__ import annotations

import importlib
import logging
import threading
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils.module_loading import module_has_submodule

from sigap.core import clock
from sigap.core.models import Job, JobStatus

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
_handlers: dict[str, Handler] = {}
# Apps whose due work lives in their own indexed rows (SLA timers) poll them on each pass.
Poller = Callable[[], int]
_pollers: dict[str, Poller] = {}

# How long a claimed job is reserved for its worker before another may take it over.
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that performs jobs of `kind`. It runs inside a transaction."""

    def register(function: Handler) -> Handler:
        _handlers[kind] = function
        return function

    return register


def due_poller(name: str) -> Callable[[Poller], Poller]:
    """Register a function that performs an app's due rows and returns how many it did."""

    def register(function: Poller) -> Poller:
        _pollers[name] = function
        return function

    return register


def job_enqueue(
    *,
    kind: str,
    payload: dict[str, Any],
    due_at: datetime | None = None,
    idempotency_key: str | None = None,
    max_attempts: int = 8,
) -> Job:
    """Write a job row. Call inside the transaction of the change that causes it."""
    now = clock.now()
    if _waker is not None and (due_at is None or due_at <= now):
        # A chat reply should not wait for the runner's next poll, nor for beat's next tick.
        _on_commit_once(_waker)
    values = {
        "kind": kind,
        "payload": payload,
        "due_at": due_at or now,
        "created_at": now,
        "max_attempts": max_attempts,
    }
    if idempotency_key is None:
        return Job.objects.create(**values)
    try:
        with transaction.atomic():
            return Job.objects.create(idempotency_key=idempotency_key, **values)
    except IntegrityError:
        return Job.objects.get(idempotency_key=idempotency_key)


def _claim(limit: int, now: datetime) -> list[Job]:
    with transaction.atomic():
        due = Job.objects.filter(status=JobStatus.PENDING, due_at__lte=now).order_by("due_at")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        jobs = list(due[:limit])
        for job in jobs:
            job.attempts += 1
            job.due_at = now + LEASE
        Job.objects.bulk_update(jobs, ["attempts", "due_at"])
    return jobs


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=5 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _perform(job: Job) -> bool:
    handler = _handlers.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler registered for job kind {job.kind!r}")
        with transaction.atomic():
            # Re-read under lock: a job whose lease ran out may have been finished meanwhile.
            locked = Job.objects.select_for_update().filter(pk=job.pk, status=JobStatus.PENDING)
            if not locked.exists():
                return False
            handler(job.payload)
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.DONE, finished_at=clock.now(), last_error=""
            )
        return True
    except Exception:
        error = traceback.format_exc(limit=5)
        logger.exception("job %s #%s failed (attempt %s)", job.kind, job.pk, job.attempts)
        now = clock.now()
        if job.attempts >= job.max_attempts:
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.DEAD, last_error=error, finished_at=now
            )
        else:
            Job.objects.filter(pk=job.pk).update(
                due_at=now + _backoff(job.attempts), last_error=error
            )
        return False


def run_due_jobs(*, limit: int = 100) -> int:
    """Claim and perform up to `limit` due jobs. Returns how many succeeded."""
    _load_handlers()
    done = 0
    for name, poller in _pollers.items():
        try:
            done += poller()
        except Exception:
            logger.exception("due poller %s failed", name)
    for job in _claim(limit, clock.now()):
        if _perform(job):
            done += 1
    return done


def _load_handlers() -> None:
    # Handlers live in each app's jobs module; importing registers them.
    if _loaded.is_set():
        return
    for config in apps.get_app_configs():
        if config.name.startswith("sigap.") and module_has_submodule(config.module, "jobs"):
            importlib.import_module(f"{config.name}.jobs")
    _loaded.set()


_loaded = threading.Event()
_running: list[InProcessRunner] = []
# How this process tells whoever runs jobs that one is due now: its in-process runners, or
# (a web node beside Celery workers, a worker) the workers; None: they find it on their next
# poll or at beat's next tick.
_waker: Callable[[], None] | None = None


def jobs_wake_with(waker: Callable[[], None] | None) -> None:
    """Call `waker` after each commit that enqueued a job due at once."""
    global _waker
    _waker = waker


def _on_commit_once(function: Callable[[], None]) -> None:
    # A bulk change enqueues a job per ticket: one wake-up after its commit is enough.
    if not any(entry[1] is function for entry in connection.run_on_commit):
        transaction.on_commit(function)


def _wake_runners() -> None:
    for runner in list(_running):
        runner.wake()


class InProcessRunner:
    """Runs due jobs in a thread of the `sigap serve` process (embedded mode)."""

    def __init__(self, poll_seconds: float) -> None:
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sigap-jobs", daemon=True)

    def start(self) -> None:
        _running.append(self)
        jobs_wake_with(_wake_runners)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        if self in _running:
            _running.remove(self)
        if not _running and _waker is _wake_runners:
            jobs_wake_with(None)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                close_old_connections()
                while run_due_jobs() and not self._stop.is_set():
                    pass
            except Exception:
                logger.exception("job runner pass failed; retrying")
            finally:
                close_old_connections()
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
