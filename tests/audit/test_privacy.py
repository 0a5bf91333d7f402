from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from sigap.accounts.models import User
from sigap.audit.models import AuditEntry
from sigap.audit.privacy import customer_erase, customer_export
from sigap.customers.services import customer_merge
from sigap.feedback.models import Survey
from sigap.intake.models import InboundEmail
from sigap.tickets.models import Attachment, Message, Ticket
from tests import factories
from tests.audit.conftest import (
    COMMENT,
    EMAIL,
    FILE,
    FIRST_TEXT,
    NAME,
    PHONE,
    SECOND_TEXT,
    held_customer,
)

PERSONAL = [NAME, EMAIL, PHONE, FIRST_TEXT, SECOND_TEXT, COMMENT, "Jalan Melati"]


def database_text() -> str:
    """Every row of every table as text, raw bytes decoded, so a leftover copy anywhere is found."""
    parts: list[str] = []
    for model in apps.get_models():
        if model._meta.label in ("contenttypes.ContentType", "auth.Permission"):
            continue
        for row in model._default_manager.values_list():
            for value in row:
                if isinstance(value, (bytes, memoryview)):
                    value = bytes(value).decode("utf-8", "replace")
                parts.append(str(value))
    return "\n".join(parts)


def test_the_export_holds_the_customer_their_tickets_and_the_file_bytes(held: Ticket) -> None:
    customer = held_customer(held)

    archive = zipfile.ZipFile(io.BytesIO(customer_export(customer)))

    document = json.loads(archive.read("customer.json"))
    assert document["customer"]["name"] == NAME
    assert {i["value"] for i in document["identities"]} == {EMAIL, PHONE}
    assert [t["id"] for t in document["tickets"]] == [held.pk]
    bodies = [m["body_text"] for m in document["messages"]]
    assert FIRST_TEXT in bodies[0]
    assert SECOND_TEXT in bodies[2]
    assert [s["comment"] for s in document["surveys"]] == [COMMENT]
    assert {e["kind"] for e in document["events"]} >= {"ticket_created", "message_received"}
    [attachment] = document["attachments"]
    assert attachment["filename"] == "struk.pdf"
    assert archive.read(attachment["file"]) == FILE
    entry = AuditEntry.objects.get(action="customer_exported")
    assert entry.object_id == str(customer.pk)


def test_erasing_leaves_no_personal_string_but_keeps_the_figures(
    held: Ticket, manager: User, attachments_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    customer = held_customer(held)
    assert all(text in database_text() for text in (NAME, EMAIL, PHONE, FIRST_TEXT, COMMENT))
    stored = [p for p in attachments_dir.rglob("*") if p.is_file()]
    assert len(stored) == 1
    before = Ticket.objects.filter(customer=customer).values(
        "channel", "status", "created_at", "first_response_at", "message_count"
    )[0]

    with django_capture_on_commit_callbacks(execute=True):
        customer_erase(customer, by=manager)

    dump = database_text()
    assert [text for text in PERSONAL if text in dump] == []
    customer.refresh_from_db()
    assert customer.name == f"Erased customer #{customer.pk}"
    assert not customer.identities.exists()
    after = Ticket.objects.filter(customer=customer).values(
        "channel", "status", "created_at", "first_response_at", "message_count"
    )[0]
    assert after == before
    assert Message.objects.filter(ticket=held).count() == 3
    assert Survey.objects.get(ticket=held).score == 4
    assert not Attachment.objects.filter(message__ticket=held).exists()
    assert not any(p.is_file() for p in attachments_dir.rglob("*"))
    assert InboundEmail.objects.get(ticket=held).raw in (b"", memoryview(b""))
    entry = AuditEntry.objects.get(action="customer_erased")
    assert (entry.actor, entry.object_id) == (manager, str(customer.pk))


def test_the_command_line_exports_and_erases(held: Ticket, tmp_path: Path) -> None:
    customer = held_customer(held)
    target = tmp_path / "ani.zip"
    out = io.StringIO()

    call_command("customer", "export", str(customer.pk), "--output", str(target), stdout=out)
    call_command("customer", "erase", str(customer.pk), "--yes", stdout=out)

    assert (
        zipfile.ZipFile(target).read(
            json.loads(zipfile.ZipFile(target).read("customer.json"))["attachments"][0]["file"]
        )
        == FILE
    )
    customer.refresh_from_db()
    assert customer.name == f"Erased customer #{customer.pk}"
    assert list(
        AuditEntry.objects.filter(action__startswith="customer_")
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["customer_exported", "customer_erased"]


def test_erasing_from_the_command_line_needs_yes(held: Ticket) -> None:
    customer = held_customer(held)
    with pytest.raises(CommandError, match="--yes"):
        call_command("customer", "erase", str(customer.pk))
    customer.refresh_from_db()
    assert customer.name == NAME


def test_a_manager_erases_from_the_customer_page(held: Ticket, manager: User) -> None:
    customer = held_customer(held)
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    page = client.get(f"/customers/{customer.pk}/")
    assert "Erase their personal data" in page.content.decode()
    token = page.cookies["csrftoken"].value

    refused = client.post(f"/customers/{customer.pk}/erase/", {"confirm": "erase"})
    unconfirmed = client.post(f"/customers/{customer.pk}/erase/", {"csrfmiddlewaretoken": token})
    customer.refresh_from_db()
    assert (refused.status_code, unconfirmed.status_code, customer.name) == (403, 302, NAME)

    done = client.post(
        f"/customers/{customer.pk}/erase/", {"confirm": "erase", "csrfmiddlewaretoken": token}
    )

    assert done.status_code == 302
    customer.refresh_from_db()
    assert customer.name == f"Erased customer #{customer.pk}"
    assert AuditEntry.objects.get(action="customer_erased").ip == "127.0.0.1"


def test_a_manager_downloads_the_export(held: Ticket, manager: User, client: Client) -> None:
    client.force_login(manager)

    response = client.post(f"/customers/{held.customer_id}/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "customer.json" in archive.namelist()


def test_an_agent_may_neither_erase_nor_export(held: Ticket, agent: User, client: Client) -> None:
    customer = held_customer(held)
    client.force_login(agent)

    page = client.get(f"/customers/{customer.pk}/")
    erase = client.post(f"/customers/{customer.pk}/erase/", {"confirm": "erase"})
    export = client.post(f"/customers/{customer.pk}/export/")

    assert "Erase their personal data" not in page.content.decode()
    assert (erase.status_code, export.status_code) == (403, 403)
    customer.refresh_from_db()
    assert customer.name == NAME
    assert not AuditEntry.objects.filter(action__startswith="customer_").exists()


def test_the_export_file_is_private_and_never_overwrites(held: Ticket, tmp_path: Path) -> None:
    customer = held_customer(held)
    target = tmp_path / "ani.zip"
    call_command("customer", "export", str(customer.pk), "--output", str(target))
    assert target.stat().st_mode & 0o777 == 0o600
    target.write_bytes(b"something else")

    with pytest.raises(CommandError, match="already exists"):
        call_command("customer", "export", str(customer.pk), "--output", str(target))

    assert target.read_bytes() == b"something else"
    assert AuditEntry.objects.filter(action="customer_exported").count() == 1


def test_a_record_merged_into_the_customer_is_exported_and_erased_with_them(
    held: Ticket, supervisor: User, manager: User
) -> None:
    customer = held_customer(held)
    duplicate = factories.make_customer("Ani W.", email="aniw@kantor.example")
    customer_merge(by=supervisor, source=duplicate, target=customer)

    document = json.loads(
        zipfile.ZipFile(io.BytesIO(customer_export(customer))).read("customer.json")
    )
    customer_erase(customer, by=manager)

    assert [r["name"] for r in document["merged_records"]] == ["Ani W."]
    assert "aniw@kantor.example" in {i["value"] for i in document["identities"]}
    dump = database_text()
    assert [t for t in ("Ani W.", "aniw@kantor.example", NAME) if t in dump] == []
    duplicate.refresh_from_db()
    assert (duplicate.name, duplicate.merged_into) == (f"Erased customer #{duplicate.pk}", customer)
