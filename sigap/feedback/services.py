"""Where the ticket's life reaches follow-up and surveys. tickets.services calls this when a
ticket's status changes; the rest of the app is reached from here."""

from __future__ import annotations

from datetime import datetime

from sigap.accounts.models import User
from sigap.feedback.followups import follow_up_cancel_open, follow_up_schedule
from sigap.feedback.surveys import surveys_schedule
from sigap.tickets.models import ACTIVE_STATUSES, Status, Ticket


def feedback_status_changed(
    *, ticket: Ticket, previous: str, by: User | None, at: datetime
) -> None:
    """Resolved: schedule the follow-up and the surveys. Active again: the pending follow-up
    is cancelled (the next resolution schedules a new one). Runs in the changing transaction,
    so the rows exist exactly when the change does."""
    if ticket.status == Status.RESOLVED and previous in ACTIVE_STATUSES:
        follow_up_schedule(ticket=ticket, by=by, at=at)
        surveys_schedule(ticket=ticket, at=at)
    elif ticket.status == Status.CLOSED and previous in ACTIVE_STATUSES:
        # Closed straight away: still resolved for the customer, so they still hear from us.
        follow_up_schedule(ticket=ticket, by=by, at=at)
        surveys_schedule(ticket=ticket, at=at)
    elif ticket.status in ACTIVE_STATUSES and previous in (Status.RESOLVED, Status.CLOSED):
        follow_up_cancel_open(ticket=ticket)
