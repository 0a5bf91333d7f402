"""Hostile attachments opened by an agent in a real Chromium: nothing in them runs.

The desk's admin has let SVG and HTML files in. The agent clicks each file on the ticket page:
the SVG and the HTML come as downloads, never as pages, and their scripts never reach the
desk (each would fetch an address of the desk that the test watches for); the photo opens
as a photo.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.test_browser import _chromium_or_skip, _signed_in_page, chromium, served_desk

pytestmark = pytest.mark.browser

SEED = """
from email.message import EmailMessage
from django.conf import settings
from sigap.accounts.services import team_create
from sigap.intake.models import Mailbox
from sigap.intake.services import email_ingest
settings.ATTACHMENT_ALLOWED_TYPES = [*settings.ATTACHMENT_ALLOWED_TYPES, "image/svg+xml"]
settings.ATTACHMENT_ALLOWED_TYPES.append("text/html")
mailbox = Mailbox.objects.create(name="cs", team=team_create(name="Retail", slug="retail"))
mail = EmailMessage()
mail["From"] = "Ani <ani@mail.example>"
mail["Subject"] = "Bukti kerusakan"
mail["Message-ID"] = "<bukti@mail.example>"
mail.set_content("Terlampir foto dan denah.")
svg = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(\\'/xss-svg-onload\\')">'
       b"<script>fetch('/xss-svg-script')</script><circle r='9'/></svg>")
page = b"<html><body><script>fetch('/xss-html?c='+document.cookie)</script>Hai</body></html>"
png = (b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x01"
       b"\\x08\\x06\\x00\\x00\\x00\\x1f\\x15\\xc4\\x89\\x00\\x00\\x00\\rIDATx\\x9cc\\xf8\\xcf\\xc0"
       b"\\xf0\\x1f\\x00\\x05\\x00\\x01\\xff\\x89\\x99=\\x1d\\x00\\x00\\x00\\x00IEND\\xaeB`\\x82")
mail.add_attachment(svg, maintype="image", subtype="svg+xml", filename="denah.svg")
mail.add_attachment(page, maintype="text", subtype="html", filename="nota.html")
mail.add_attachment(png, maintype="image", subtype="png", filename="foto.png")
inbound = email_ingest(raw=bytes(mail), mailbox=mailbox)
assert inbound.ticket is not None and inbound.ticket.messages.get().attachments.count() == 3
"""


@pytest.fixture(scope="module")
def attachments_desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _chromium_or_skip()
    with served_desk(tmp_path_factory.mktemp("attachments-desk"), seed=SEED) as url:
        yield url


@pytest.fixture(scope="module")
def attachments_browser(attachments_desk_url: str) -> Iterator[object]:
    with chromium() as launched:
        yield launched


def test_svg_and_html_attachments_download_and_never_run(
    attachments_browser: object, attachments_desk_url: str
) -> None:
    from playwright.sync_api import Page, expect

    problems: list[str] = []
    page = _signed_in_page(attachments_browser, attachments_desk_url, problems)
    assert isinstance(page, Page)
    reached: list[str] = []
    page.context.on("request", lambda request: reached.append(request.url))

    page.get_by_role("link", name="Bukti kerusakan").click()
    expect(page.get_by_role("link", name="denah.svg")).to_be_visible()
    for name in ("denah.svg", "nota.html"):
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        assert download.value.suggested_filename == name
        # Opened by address too, as a curious agent might: still a download, never a page.
        with page.expect_download() as again:
            page.evaluate("url => { window.location.href = url }", download.value.url)
        assert again.value.suggested_filename == name

    photo_url = page.get_by_role("link", name="foto.png").get_attribute("href")
    photo = page.context.new_page()
    response = photo.goto(f"{attachments_desk_url}{photo_url}")
    assert response is not None
    assert response.headers["content-type"] == "image/png"
    page.wait_for_timeout(500)  # a script that had run would have fetched by now

    assert not [url for url in reached if "/xss-" in url]
    assert problems == []
