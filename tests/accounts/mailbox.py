"""Reading the links the desk mails to staff."""

from __future__ import annotations

import re

from django.core import mail

from sigap.core.jobs import run_due_jobs


def deliver() -> int:
    """Run the queued jobs, as the background worker would; returns how many mails went out."""
    before = len(mail.outbox)
    run_due_jobs()
    return len(mail.outbox) - before


def link_in(message: mail.EmailMessage) -> str:
    """The path of the link in a mail (the host is the test server's)."""
    found = re.search(r"http://testserver(/\S+)", str(message.body))
    assert found, message.body
    return found.group(1)
