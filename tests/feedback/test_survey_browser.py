"""A customer answers a survey on a phone in Debian's Chromium, against a real `sigap serve`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.test_browser import _chromium_or_skip, chromium, served_desk

pytestmark = pytest.mark.browser

SEED = """
from pathlib import Path
from urllib.parse import urlsplit
from django.conf import settings
from sigap.accounts.services import team_create
from sigap.customers.models import IdentityKind
from sigap.customers.services import IdentityInput, customer_create
from sigap.feedback.surveys import survey_link
from sigap.tickets.models import Channel
from sigap.tickets.services import ticket_open
team = team_create(name="Pelanggan Retail", slug="retail")
wati = customer_create(by=None, name="Wati Susanto", language="en",
                       identities=[IdentityInput(IdentityKind.EMAIL, "wati@mail.example")])
ticket = ticket_open(customer=wati, identity=wati.identities.first(), channel=Channel.EMAIL,
                     subject="Kulkas tidak dingin", body="Sudah dua hari.", team=team)
link = survey_link(ticket=ticket, kind="csat", channel="email")
(Path(settings.DATA_DIR) / "survey-path.txt").write_text(urlsplit(link).path)
"""
PHONE = {"width": 360, "height": 740}


def test_a_customer_answers_the_survey_on_a_phone(tmp_path: Path) -> None:
    from playwright.sync_api import Browser, expect

    _chromium_or_skip()
    with served_desk(tmp_path, seed=SEED) as url, chromium() as browser:
        assert isinstance(browser, Browser)
        path = (tmp_path / "survey-path.txt").read_text()
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US"
        )
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{url}{path}")

        expect(page.get_by_role("heading", name="How did we do?")).to_be_visible()
        # Nothing wider than the phone: no sideways scrolling to reach a button.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        score = page.locator("label.score", has_text="2")
        box = score.bounding_box()
        assert box is not None
        assert box["height"] >= 44  # a thumb can hit it
        score.tap()
        page.get_by_label("Anything you want to tell us? (optional)").fill("Teknisi telat datang")
        page.get_by_role("button", name="Send my answer").tap()

        expect(page.get_by_role("status")).to_contain_text("Your answer is saved")
        expect(page.locator("input[name=score][value='2']")).to_be_checked()
        expect(page.locator("#id_comment")).to_have_value("Teknisi telat datang")

        page.get_by_role("link", name="Bahasa Indonesia").tap()
        expect(page.locator("html")).to_have_attribute("lang", "id")
        assert problems == []
