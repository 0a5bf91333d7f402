from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the Celery beat scheduler that wakes workers for due jobs (run exactly one)."

    def handle(self, *args: Any, **options: Any) -> None:
        from sigap.core.tasks import app

        schedule = settings.DATA_DIR / "celerybeat-schedule"
        app.start(["beat", "--loglevel=INFO", f"--schedule={schedule}"])
