"""Background work for intake: reading the IMAP mailboxes when they are due.

Each pass of the job executor (the in-process runner of `sigap serve`, or the Celery task that
`sigap beat` fires every SIGAP_JOBS_POLL_SECONDS) calls this; it polls only the mailboxes whose
`next_poll_at` has come, so each mailbox is read every SIGAP_MAIL_POLL_SECONDS.
"""

from __future__ import annotations

from sigap.core.jobs import due_poller
from sigap.intake.imap import mailboxes_poll_due


@due_poller("imap_mailboxes")
def poll_due_mailboxes() -> int:
    return mailboxes_poll_due()
