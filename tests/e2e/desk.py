"""A desk for the end-to-end tests: one `sigap serve` with a published SOP, a ticket for each
language, a survey link; Chromium contexts in either language; screenshots; the axe scan."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import translation

from tests.web.test_browser import PASSWORD, USERNAME

AXE = Path(__file__).resolve().parents[1] / "fixtures" / "axe" / "axe.min.js"
LOCALES = {"id": "id-ID", "en": "en-US"}
SUBJECTS = {"id": "Tanya ongkos kirim ke Medan", "en": "Shipping cost to Medan"}
SEED = f"""
from pathlib import Path
from urllib.parse import urlsplit
from django.conf import settings
from sigap.accounts.services import team_create
from sigap.customers.models import IdentityKind
from sigap.customers.services import IdentityInput, customer_create
from sigap.feedback.surveys import survey_link
from sigap.sops.services import sop_import, sop_publish
from sigap.tickets.models import Channel
from sigap.tickets.services import ticket_open
import sigap.sops
library = Path(sigap.sops.__file__).parent / "library"
draft = sop_import(text=(library / "general-enquiry.yaml").read_text(), by=None)
sop_publish(version=draft, by=None, notes="First version")
team = team_create(name="Pelanggan Retail", slug="retail")
for language, subject in {SUBJECTS!r}.items():
    person = customer_create(by=None, name="Wati " + language, language=language,
        identities=[IdentityInput(IdentityKind.EMAIL, f"wati-{{language}}@mail.example")])
    ticket = ticket_open(customer=person, identity=person.identities.first(),
        channel=Channel.EMAIL, subject=subject, body="Berapa ongkos kirim ke Medan?", team=team)
    link = survey_link(ticket=ticket, kind="csat", channel="email")
    (Path(settings.DATA_DIR) / f"survey-{{language}}.txt").write_text(urlsplit(link).path)
    (Path(settings.DATA_DIR) / f"ticket-{{language}}.txt").write_text(f"/tickets/{{ticket.pk}}/")
"""


def words(language: str, english: str) -> str:
    """What the desk shows for `english` in `language`, from the desk's own catalogue."""
    with translation.override(language):
        return translation.gettext(english)


def exactly(text: str) -> re.Pattern[str]:
    """A name matched whole, so "Inbox" does not also find "Inbox list"."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


@dataclass
class Shots:
    """Where the screenshots go: SIGAP_SCREENSHOT_DIR, or a directory of this test run."""

    root: Path
    taken: list[Path]

    def take(self, page: Any, name: str) -> None:
        path = self.root / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)


def signed_in(browser: Any, url: str, language: str, **context: Any) -> Any:
    """A page of an agent signed in with a browser that asks for `language`."""
    from playwright.sync_api import expect

    page = browser.new_context(locale=LOCALES[language], **context).new_page()
    page.goto(f"{url}/")
    page.get_by_label(words(language, "Username")).fill(USERNAME)
    page.get_by_label(words(language, "Password")).fill(PASSWORD)
    page.get_by_role("button", name=words(language, "Sign in")).click()
    expect(page.get_by_role("heading", name=words(language, "Inbox"))).to_be_visible()
    return page


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page, one line each."""
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
        found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found
