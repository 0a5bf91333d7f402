"""Reading IMAP mailboxes: each message is taken in, then moved to the processed folder.

Taking in comes first (a fetched batch commits together) and is idempotent on Message-ID, so a
crash between the two steps only means the next pass finds the messages again, records them as
already there and moves them.
"""

from __future__ import annotations

import logging
import os
import ssl
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from imapclient import IMAPClient

from sigap.core import clock
from sigap.intake.models import Mailbox
from sigap.intake.services import email_ingest

logger = logging.getLogger(__name__)

# Messages fetched per round trip, and taken per pass so one huge backlog cannot hold the
# worker for long; the next pass carries on.
FETCH_BATCH = 20
MAX_PER_PASS = 500
# A claimed mailbox is left alone this long by other pollers, even if this one dies.
POLL_LEASE = timedelta(minutes=10)
TIMEOUT_SECONDS = 60


class MailboxConfigurationError(Exception):
    """The mailbox cannot be read as configured (no host, no password in the environment)."""


@dataclass
class PollResult:
    mailbox: str
    statuses: Counter[str] = field(default_factory=Counter)
    error: str = ""

    @property
    def taken(self) -> int:
        return sum(self.statuses.values())


def _password(mailbox: Mailbox) -> str:
    if not mailbox.password_env:
        raise MailboxConfigurationError(
            _("Mailbox %(name)s names no password variable.") % {"name": mailbox.name}
        )
    password = os.environ.get(mailbox.password_env)
    if not password:
        raise MailboxConfigurationError(
            _("The environment variable %(variable)s is not set.")
            % {"variable": mailbox.password_env}
        )
    return password


def _connect(mailbox: Mailbox) -> IMAPClient:
    if not mailbox.imap_host:
        raise MailboxConfigurationError(
            _("Mailbox %(name)s has no IMAP host.") % {"name": mailbox.name}
        )
    password = _password(mailbox)
    context = ssl.create_default_context() if mailbox.imap_ssl else None
    client = IMAPClient(
        mailbox.imap_host,
        port=mailbox.imap_port,
        ssl=mailbox.imap_ssl,
        ssl_context=context,
        timeout=TIMEOUT_SECONDS,
    )
    client.login(mailbox.imap_username, password)
    return client


def _move(client: IMAPClient, uid: int, folder: str, can_move: bool) -> None:
    if can_move:
        client.move([uid], folder)
        return
    client.copy([uid], folder)
    client.add_flags([uid], [b"\\Deleted"], silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge([uid])
    else:
        client.expunge()


def _ingest_batch(raws: dict[int, bytes], mailbox: Mailbox) -> dict[int, str]:
    """Take in a fetched batch with one commit; returns each message's status by UID.

    A commit waits for the disk, and mail arrives in bunches: one per batch rather than one per
    message is what lets a backlog drain quickly. Each message is still its own savepoint inside
    `email_ingest`, so a broken one is quarantined without touching the rest, and nothing is
    moved before the commit. Should the batch fail as a whole (the database went away), each
    message is tried on its own so one that cannot be taken does not hold up the others; it
    stays in the folder for the next pass.
    """
    try:
        with transaction.atomic():
            return {uid: email_ingest(raw=raw, mailbox=mailbox).status for uid, raw in raws.items()}
    except Exception:
        logger.warning("taking in a batch from %s failed; one by one", mailbox.name, exc_info=True)
    taken: dict[int, str] = {}
    for uid, raw in raws.items():
        try:
            taken[uid] = email_ingest(raw=raw, mailbox=mailbox).status
        except Exception:
            logger.exception("message %s in %s left for the next pass", uid, mailbox.name)
    return taken


def imap_poll(mailbox: Mailbox) -> PollResult:
    """Take in every message in the mailbox's folder and move each to the processed folder."""
    result = PollResult(mailbox=mailbox.name)
    client = _connect(mailbox)
    try:
        if not client.folder_exists(mailbox.processed_folder):
            client.create_folder(mailbox.processed_folder)
        client.select_folder(mailbox.folder)
        can_move = client.has_capability("MOVE")
        # ALL, not UNSEEN: a message someone already opened in webmail is still unanswered.
        uids: list[int] = list(client.search(["ALL"]))[:MAX_PER_PASS]
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start : start + FETCH_BATCH]
            fetched: dict[int, dict[bytes, Any]] = client.fetch(batch, ["BODY.PEEK[]"])
            raws = {
                uid: bytes(data.get(b"BODY[]") or b"")
                for uid in batch
                if (data := fetched.get(uid)) is not None  # else deleted by someone meanwhile
            }
            for uid, status in _ingest_batch(raws, mailbox).items():
                result.statuses[status] += 1
                _move(client, uid, mailbox.processed_folder, can_move)
    finally:
        try:
            client.logout()
        except Exception:  # the connection is already gone; nothing left to close
            logger.debug("IMAP logout of %s failed", mailbox.name, exc_info=True)
    return result


def mailbox_poll_recorded(mailbox: Mailbox) -> PollResult:
    """Poll one mailbox and note on it when it was read and what went wrong, if anything."""
    try:
        result = imap_poll(mailbox)
    except Exception as error:  # a poll failure must not stop the other mailboxes
        logger.warning("polling mailbox %s failed: %s", mailbox.name, error)
        result = PollResult(mailbox=mailbox.name, error=f"{type(error).__name__}: {error}")
    now = clock.now()
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=now,
        last_poll_error=result.error[:2000],
        next_poll_at=now + timedelta(seconds=settings.MAIL_POLL_SECONDS),
    )
    return result


def mailboxes_pollable() -> QuerySet[Mailbox]:
    return Mailbox.objects.filter(is_active=True).exclude(imap_host="")


def mailboxes_poll_due() -> int:
    """Poll each mailbox whose time has come; returns how many messages were taken in.

    A mailbox is claimed by moving its next_poll_at forward with a conditional UPDATE, so two
    workers never read the same mailbox at once.
    """
    now = clock.now()
    due = mailboxes_pollable().filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
    taken = 0
    for mailbox in due.order_by("next_poll_at")[:50]:
        claimed = Mailbox.objects.filter(pk=mailbox.pk, next_poll_at=mailbox.next_poll_at).update(
            next_poll_at=now + POLL_LEASE
        )
        if claimed:
            taken += mailbox_poll_recorded(mailbox).taken
    return taken
