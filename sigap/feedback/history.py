"""Loading a desk's past (the demo): follow-ups fire when they fell due, surveys stay unsent."""

from __future__ import annotations

from datetime import datetime

from sigap.core import clock
from sigap.core.models import Job, JobStatus
from sigap.feedback.followups import follow_ups_fire_due
from sigap.feedback.models import FollowUp
from sigap.feedback.surveys import SEND_SURVEYS


def feedback_history_settle(*, now: datetime) -> None:
    """Fire the follow-ups the loaded history left due, each at its own moment, and withdraw
    the survey mails it queued: they would go to made-up addresses. Call in the load's
    transaction, before its queued replies are withdrawn."""
    while True:
        first = FollowUp.objects.filter(check_at__lte=now).order_by("check_at").first()
        if first is None or first.check_at is None:
            break
        with clock.frozen(first.check_at):
            follow_ups_fire_due(now=first.check_at, limit=10_000)
    Job.objects.filter(kind=SEND_SURVEYS, status=JobStatus.PENDING).delete()
