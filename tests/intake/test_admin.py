"""Admins see quarantined mail with its raw source, escaped, and can process it again."""

from __future__ import annotations

from typing import Any

from django.test import Client

from sigap.accounts.models import User
from sigap.intake.models import InboundEmail, InboundStatus, Mailbox
from sigap.intake.services import email_ingest
from tests.intake.conftest import eml


def _quarantine(mailbox: Mailbox, monkeypatch: Any) -> InboundEmail:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("temporary bug")

    with monkeypatch.context() as patch:
        patch.setattr("sigap.intake.services.ticket_open_with_message", broken)
        return email_ingest(raw=eml("html-only-script.eml"), mailbox=mailbox)


def test_admin_lists_quarantined_mail_and_shows_the_raw_source_escaped(
    client: Client, admin_user: User, mailbox: Mailbox, monkeypatch: Any
) -> None:
    inbound = _quarantine(mailbox, monkeypatch)
    client.force_login(admin_user)

    listing = client.get("/admin/intake/inboundemail/?status__exact=quarantined")
    page = client.get(f"/admin/intake/inboundemail/{inbound.pk}/change/")

    assert listing.status_code == 200
    assert "Komplain layanan kurir" in listing.content.decode()
    html = page.content.decode()
    assert page.status_code == 200
    assert "RuntimeError: temporary bug" in html
    assert "&lt;script&gt;document.location=3D" in html
    assert "<script>document.location" not in html


def test_admin_reprocess_action_makes_the_ticket(
    client: Client, admin_user: User, mailbox: Mailbox, monkeypatch: Any
) -> None:
    inbound = _quarantine(mailbox, monkeypatch)
    client.force_login(admin_user)

    response = client.post(
        "/admin/intake/inboundemail/",
        {"action": "reprocess", "_selected_action": [inbound.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 processed, 0 still quarantined." in response.content.decode()
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.TICKET_CREATED


def test_mailbox_admin_page_opens(client: Client, admin_user: User, mailbox: Mailbox) -> None:
    client.force_login(admin_user)

    assert client.get(f"/admin/intake/mailbox/{mailbox.pk}/change/").status_code == 200


def test_agents_are_kept_out_of_received_mail(client: Client, agent: User) -> None:
    client.force_login(agent)

    response = client.get("/admin/intake/inboundemail/")

    assert response.status_code == 302
