"""Mail that cannot be processed is kept for an admin and never blocks the mail after it."""

from __future__ import annotations

from typing import Any

import pytest

from sigap.accounts.models import User
from sigap.core.errors import Conflict, NotAllowed
from sigap.intake.models import InboundEmail, InboundStatus, Mailbox
from sigap.intake.services import email_ingest, email_reprocess
from sigap.tickets.models import Ticket
from tests.intake.conftest import eml


def test_garbage_is_quarantined_and_the_next_message_still_arrives(mailbox: Mailbox) -> None:
    garbage = email_ingest(raw=eml("garbage.eml"), mailbox=mailbox)
    good = email_ingest(raw=eml("plain-utf8.eml"), mailbox=mailbox)

    assert garbage.status == InboundStatus.QUARANTINED
    assert garbage.error == "MalformedEmail: The data does not start with mail headers."
    assert bytes(InboundEmail.objects.get(pk=garbage.pk).raw) == eml("garbage.eml")
    assert garbage.ticket is None
    assert good.status == InboundStatus.TICKET_CREATED
    assert Ticket.objects.count() == 1


def test_a_failure_while_processing_leaves_nothing_half_done(
    mailbox: Mailbox, monkeypatch: Any
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("SOP engine exploded")

    monkeypatch.setattr("sigap.intake.services.ticket_open_with_message", broken)

    inbound = email_ingest(raw=eml("photo-attachment.eml"), mailbox=mailbox)

    assert inbound.status == InboundStatus.QUARANTINED
    assert inbound.error == "RuntimeError: SOP engine exploded"
    assert inbound.subject == "Foto barang rusak"
    assert not Ticket.objects.exists()


def test_an_admin_reprocesses_quarantined_mail_once_the_cause_is_fixed(
    mailbox: Mailbox, admin_user: User, monkeypatch: Any
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr("sigap.intake.services.ticket_open_with_message", _explode)
        inbound = email_ingest(raw=eml("plain-utf8.eml"), mailbox=mailbox)
    assert inbound.status == InboundStatus.QUARANTINED

    email_reprocess(inbound=inbound, by=admin_user)

    assert inbound.status == InboundStatus.TICKET_CREATED
    assert inbound.error == ""
    assert inbound.reprocessed_by == admin_user
    assert Ticket.objects.count() == 1
    with pytest.raises(Conflict):
        email_reprocess(inbound=inbound, by=admin_user)
    assert Ticket.objects.count() == 1


def test_reprocessing_garbage_keeps_it_quarantined(mailbox: Mailbox, admin_user: User) -> None:
    inbound = email_ingest(raw=eml("garbage.eml"), mailbox=mailbox)

    email_reprocess(inbound=inbound, by=admin_user)

    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.QUARANTINED
    assert inbound.reprocessed_by == admin_user


def test_an_agent_may_not_reprocess_mail(mailbox: Mailbox, agent: User) -> None:
    inbound = email_ingest(raw=eml("garbage.eml"), mailbox=mailbox)

    with pytest.raises(NotAllowed):
        email_reprocess(inbound=inbound, by=agent)


def test_an_oversized_message_is_kept_cut_and_quarantined(mailbox: Mailbox, settings: Any) -> None:
    settings.MAIL_MAX_BYTES = 300
    raw = eml("plain-utf8.eml")

    inbound = email_ingest(raw=raw, mailbox=mailbox)

    assert inbound.status == InboundStatus.QUARANTINED
    assert inbound.is_truncated
    assert inbound.size == len(raw)
    assert bytes(InboundEmail.objects.get().raw) == raw[:300]
    assert "larger than 300 bytes" in inbound.error


def _explode(**kwargs: Any) -> None:
    raise RuntimeError("temporary bug")
