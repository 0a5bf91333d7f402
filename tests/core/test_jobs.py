from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction

from sigap.core import clock
from sigap.core.jobs import (
    LEASE,
    InProcessRunner,
    _claim,
    job_enqueue,
    job_handler,
    jobs_wake_with,
    run_due_jobs,
)
from sigap.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db

calls: list[dict[str, Any]] = []
failures_left = {"count": 0}


@job_handler("test_record")
def _record(payload: dict[str, Any]) -> None:
    if failures_left["count"] > 0:
        failures_left["count"] -= 1
        raise ConnectionError("server down")
    calls.append(payload)


@pytest.fixture(autouse=True)
def _reset() -> None:
    calls.clear()
    failures_left["count"] = 0


def test_a_job_runs_once_and_is_marked_done() -> None:
    job = job_enqueue(kind="test_record", payload={"n": 1})

    assert run_due_jobs() == 1
    assert run_due_jobs() == 0

    job.refresh_from_db()
    assert calls == [{"n": 1}]
    assert job.status == JobStatus.DONE
    assert job.attempts == 1


def test_a_failing_job_is_retried_with_growing_backoff() -> None:
    failures_left["count"] = 2
    with time_machine.travel("2026-11-02 09:00:00+00:00", tick=False) as traveller:
        job = job_enqueue(kind="test_record", payload={"n": 2})

        assert run_due_jobs() == 0
        job.refresh_from_db()
        assert job.status == JobStatus.PENDING
        assert "server down" in job.last_error
        assert job.due_at == clock.now() + timedelta(seconds=5)

        traveller.shift(timedelta(seconds=5))
        assert run_due_jobs() == 0
        job.refresh_from_db()
        assert job.due_at == clock.now() + timedelta(seconds=10)

        traveller.shift(timedelta(seconds=10))
        assert run_due_jobs() == 1

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.attempts == 3
    assert calls == [{"n": 2}]


def test_a_job_that_keeps_failing_is_given_up_and_kept() -> None:
    failures_left["count"] = 99
    with time_machine.travel("2026-11-02 09:00:00+00:00", tick=False) as traveller:
        job = job_enqueue(kind="test_record", payload={}, max_attempts=3)
        for _ in range(3):
            run_due_jobs()
            traveller.shift(timedelta(hours=1))
        assert run_due_jobs() == 0

    job.refresh_from_db()
    assert job.status == JobStatus.DEAD
    assert job.attempts == 3
    assert "server down" in job.last_error


def test_the_same_idempotency_key_makes_one_job() -> None:
    first = job_enqueue(kind="test_record", payload={"n": 1}, idempotency_key="k1")
    second = job_enqueue(kind="test_record", payload={"n": 1}, idempotency_key="k1")

    assert first.pk == second.pk
    assert run_due_jobs() == 1
    assert calls == [{"n": 1}]


def test_work_claimed_by_a_worker_that_died_runs_after_the_lease() -> None:
    with time_machine.travel("2026-11-02 09:00:00+00:00", tick=False) as traveller:
        job_enqueue(kind="test_record", payload={"n": 3})
        claimed = _claim(10, clock.now())  # a worker takes it, then dies
        assert len(claimed) == 1

        assert run_due_jobs() == 0
        traveller.shift(LEASE)
        assert run_due_jobs() == 1

    assert calls == [{"n": 3}]


def test_a_job_kind_nobody_handles_is_kept_with_the_reason() -> None:
    job = job_enqueue(kind="no_such_kind", payload={}, max_attempts=1)

    run_due_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.DEAD
    assert "no handler registered" in job.last_error


def test_jobs_not_yet_due_wait() -> None:
    job_enqueue(kind="test_record", payload={}, due_at=clock.now() + timedelta(minutes=1))

    assert run_due_jobs() == 0
    assert Job.objects.get().status == JobStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_the_embedded_runner_takes_a_new_job_at_once_not_at_its_next_poll() -> None:
    runner = InProcessRunner(poll_seconds=300)
    runner.start()
    try:
        # Let the runner finish its first pass and settle into its five-minute wait.
        time.sleep(0.5)
        with transaction.atomic():
            job_enqueue(kind="test_record", payload={"n": 7})
        deadline = time.monotonic() + 10
        while not calls and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runner.stop()

    assert calls == [{"n": 7}]


def test_a_burst_of_jobs_wakes_the_workers_once_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    woken: list[int] = []
    jobs_wake_with(lambda: woken.append(1))
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            for n in range(3):
                job_enqueue(kind="test_wake", payload={"n": n})
            job_enqueue(kind="test_later", payload={}, due_at=clock.now() + timedelta(hours=1))
            assert woken == []  # nothing is told before the jobs are there to be found
        assert woken == [1]

        with django_capture_on_commit_callbacks(execute=True):
            job_enqueue(kind="test_later", payload={}, due_at=clock.now() + timedelta(hours=1))
        assert woken == [1]  # a job for later waits for its time, not for a wake-up
    finally:
        jobs_wake_with(None)
