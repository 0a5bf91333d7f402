"""The job executor takes a backup once per interval and keeps only the newest few."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sigap.core import clock
from sigap.core.jobs import run_due_jobs
from sigap.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db(transaction=True)

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def schedule(settings: Any, tmp_path: Path) -> Path:
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_INTERVAL_HOURS = 24
    settings.BACKUP_KEEP = 2
    return Path(settings.BACKUP_DIR)


def _archives(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.glob("sigap-backup-*.tar.gz"))


def test_one_backup_a_day_and_the_oldest_are_removed(schedule: Path) -> None:
    for day in range(4):
        for hour in (0, 5, 20):
            with clock.frozen(START + timedelta(days=day, hours=hour)):
                run_due_jobs()

    assert _archives(schedule) == [
        "sigap-backup-20260304-010000.tar.gz",
        "sigap-backup-20260305-010000.tar.gz",
    ]
    claims = Job.objects.filter(kind="backup_scheduled")
    assert claims.count() == 4
    assert set(claims.values_list("status", flat=True)) == {JobStatus.DONE}


def test_no_schedule_no_backups(settings: Any, tmp_path: Path) -> None:
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_INTERVAL_HOURS = 0

    run_due_jobs()

    assert not (tmp_path / "backups").exists()
    assert not Job.objects.filter(kind="backup_scheduled").exists()


def test_a_failed_backup_is_taken_again_by_the_executor(
    schedule: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sigap.core import backup_schedule

    real = backup_schedule.backup_create
    calls = []

    def full_disk_once(**options: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("No space left on device")
        return real(**options)

    monkeypatch.setattr(backup_schedule, "backup_create", full_disk_once)
    with clock.frozen(START):
        run_due_jobs()
    assert _archives(schedule) == []
    with clock.frozen(START + timedelta(minutes=2)):
        run_due_jobs()

    assert len(_archives(schedule)) == 1
    assert Job.objects.get(kind="backup_scheduled").status == JobStatus.DONE
