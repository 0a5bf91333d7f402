"""In a real Chromium: opening the desk brings the agent online and hands them the waiting
conversation; the header control sets them away, and an open page does not undo that."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.test_browser import (
    PASSWORD,
    USERNAME,
    _chromium_or_skip,
    chromium,
    served_desk,
)

pytestmark = pytest.mark.browser

SEED = f"""
from sigap.accounts.models import User
from sigap.accounts.services import team_create
from sigap.customers.models import IdentityKind
from sigap.customers.services import IdentityInput, customer_create
from sigap.routing.models import TeamRouting
from sigap.tickets.models import Channel
from sigap.tickets.services import ticket_open
team = team_create(name="Pelanggan Retail", slug="retail")
TeamRouting.objects.filter(team=team).update(strategy="least_loaded")
User.objects.get(username="{USERNAME}").teams.add(team)
wati = customer_create(by=None, name="Wati Susanto",
                       identities=[IdentityInput(IdentityKind.EMAIL, "wati@mail.example")])
ticket_open(customer=wati, identity=wati.identities.first(), channel=Channel.EMAIL,
            subject="Kulkas tidak dingin", body="Sudah dua hari kulkas tidak dingin.", team=team)
"""


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _chromium_or_skip()
    with served_desk(tmp_path_factory.mktemp("routing-desk"), seed=SEED) as url:
        yield url


def test_the_desk_page_brings_the_agent_online_and_the_header_sets_them_away(
    desk_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    problems: list[str] = []
    with chromium() as browser:
        page = browser.new_context(locale="en-US").new_page()  # type: ignore[attr-defined]
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{desk_url}/routing/queue/")
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Team queue")).to_be_visible()
        expect(page.locator("form.presence[data-live='on']")).to_have_count(1)

        # The page's socket told the desk the agent is here: the waiting conversation is theirs.
        page.get_by_role("link", name="Team queue").click()
        expect(page.locator("main")).to_contain_text("Nobody is waiting")
        expect(page.get_by_label("Presence")).to_have_value("online")

        page.get_by_role("link", name="Inbox").click()
        page.get_by_role("link", name="Kulkas tidak dingin").click()
        expect(page.locator(".timeline")).to_contain_text("assigned the ticket by routing")
        expect(page.locator(".timeline")).to_contain_text("(least loaded)")

        page.get_by_label("Presence").select_option("away")
        expect(page.get_by_label("Presence")).to_have_value("away")
        expect(page.get_by_role("heading", name="Kulkas tidak dingin")).to_be_visible()
        page.reload()
        expect(page.get_by_label("Presence")).to_have_value("away")
    assert problems == []
