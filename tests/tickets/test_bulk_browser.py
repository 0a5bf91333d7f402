"""In a real Chromium against `sigap serve`: an agent chooses two tickets in the inbox and
resolves them; the SOP close gate refuses one and the page says which and why."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sigap.tickets.models import format_reference
from tests.e2e.desk import serious_violations, signed_in
from tests.tickets.bulk_desk import GATE
from tests.web.test_browser import (
    PASSWORD,
    USERNAME,
    _chromium_or_skip,
    chromium,
    served_desk,
)

pytestmark = pytest.mark.browser

SEED = """
from pathlib import Path
import sigap.sops
from sigap.accounts.services import team_create
from sigap.customers.models import IdentityKind
from sigap.customers.services import IdentityInput, customer_create
from sigap.sops.services import sop_import, sop_publish
from sigap.tickets.models import Channel
from sigap.tickets.services import ticket_open
library = Path(sigap.sops.__file__).parent / "library"
draft = sop_import(text=(library / "damaged-product.yaml").read_text(), by=None)
sop_publish(version=draft, by=None, notes="First version")
team = team_create(name="Pelanggan Retail", slug="retail")
wati = customer_create(by=None, name="Wati Susanto",
                       identities=[IdentityInput(IdentityKind.EMAIL, "wati@mail.example")])
for subject, body in (("Vas pecah", "Vas datang dalam keadaan rusak."),
                      ("Ongkos kirim ke Medan", "Berapa ongkos kirim ke Medan?")):
    ticket_open(customer=wati, identity=wati.identities.first(), channel=Channel.EMAIL,
                subject=subject, body=body, team=team)
"""
GATED, FREE = format_reference(1), format_reference(2)


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _chromium_or_skip()
    with served_desk(tmp_path_factory.mktemp("bulk-desk"), seed=SEED) as url:
        yield url


@pytest.fixture(scope="module")
def browser(desk_url: str) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_two_tickets_chosen_and_resolved_one_held_by_the_close_gate(
    browser: Any, desk_url: str
) -> None:
    from playwright.sync_api import expect

    page = browser.new_context(locale="en-US").new_page()
    problems: list[str] = []
    # A Content-Security-Policy violation or a script error shows up here.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{desk_url}/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()

    # One by the mouse, one from the keyboard.
    page.get_by_role("checkbox", name=f"Choose {GATED}").check()
    page.get_by_role("checkbox", name=f"Choose {FREE}").focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="Choose every ticket on this page")).to_be_checked()
    expect(page.locator("#bulk-count")).to_have_text("Tickets chosen: 2")

    # A colleague changes a ticket meanwhile: the live list reloads and keeps the choice.
    expect(page.locator("body[data-live='on']")).to_have_count(1)
    colleague = signed_in(browser, desk_url, "en")
    colleague.goto(f"{desk_url}/tickets/2/")
    before = page.locator("#inbox-list").element_handle()
    colleague.get_by_label("Internal note (never sent to the customer)").fill("Cek stok.")
    colleague.get_by_role("button", name="Add note").click()
    page.wait_for_function("list => !list.isConnected", arg=before)  # the list was replaced
    expect(page.get_by_role("checkbox", name=f"Choose {GATED}")).to_be_checked()
    expect(page.get_by_role("checkbox", name=f"Choose {FREE}")).to_be_checked()
    expect(page.locator("#bulk-count")).to_have_text("Tickets chosen: 2")

    page.get_by_role("button", name="Resolve", exact=True).click()

    shown = page.locator(".messages")
    expect(shown).to_contain_text(f"Done for 1 ticket: {FREE}.")
    expect(shown.locator(".error")).to_contain_text(f"{GATED} was not changed: {GATE}")
    # The default inbox lists active tickets: the resolved one left it, the held one stayed.
    expect(page.locator("#inbox-list")).to_contain_text("Vas pecah")
    expect(page.locator("#inbox-list")).not_to_contain_text("Ongkos kirim ke Medan")
    expect(page.get_by_role("checkbox", name=f"Choose {GATED}")).not_to_be_checked()
    assert problems == []

    # The scan is injected as a script, which the desk's own policy rightly refuses.
    scanner = signed_in(browser, desk_url, "en", bypass_csp=True)
    scanner.get_by_role("checkbox", name=f"Choose {GATED}").check()
    assert serious_violations(scanner) == []
