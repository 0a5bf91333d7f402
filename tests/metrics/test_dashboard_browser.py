"""The dashboard in a real Chromium: charts drawn under the strict CSP, and a drill-down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.test_browser import _chromium_or_skip, _signed_in_page, chromium, served_desk

pytestmark = pytest.mark.browser

SEED = """
from sigap.accounts.models import User
from sigap.accounts.services import team_create
from sigap.customers.models import IdentityKind
from sigap.customers.services import IdentityInput, customer_create
from sigap.metrics.refresh import facts_rebuild
from sigap.tickets.models import Channel
from sigap.tickets.services import ticket_open, ticket_reply
team = team_create(name="Pelanggan Retail", slug="retail")
boss = User.objects.get(username="kepala")
for number, channel in enumerate([Channel.EMAIL, Channel.CHAT, Channel.EMAIL]):
    address = IdentityInput(IdentityKind.EMAIL, f"p{number}@mail.example")
    person = customer_create(by=None, name=f"Pelanggan {number}", identities=[address])
    ticket = ticket_open(customer=person, identity=person.identities.first(), channel=channel,
                         subject=f"Pesanan {number} belum sampai", body="Belum sampai.", team=team)
    if number:
        ticket_reply(ticket=ticket, by=boss, body="Sudah kami kirim ulang.", status="resolved")
facts_rebuild()
"""


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _chromium_or_skip()
    data: Path = tmp_path_factory.mktemp("metrics-desk")
    with served_desk(data, seed=SEED) as url:
        yield url


def test_the_dashboard_draws_its_charts_and_drills_down(desk_url: str) -> None:
    from playwright.sync_api import Page, expect

    problems: list[str] = []
    with chromium() as browser:
        page = _signed_in_page(browser, desk_url, problems)
        assert isinstance(page, Page)

        page.get_by_role("link", name="Figures").click()
        expect(page.get_by_role("heading", name="Figures", exact=True)).to_be_visible()
        opened = page.locator('article[data-kpi="tickets_opened"]')
        expect(opened.locator(".value")).to_have_text("3")
        expect(opened).to_contain_text("Tickets opened in the period")
        for chart in ("chart-trend", "chart-channels", "chart-sops", "chart-steps"):
            drawn = page.evaluate(
                "id => { const c = Chart.getChart(document.getElementById(id));"
                " return c ? c.data.datasets.length : 0; }",
                chart,
            )
            assert drawn > 0, chart
        trend_total = page.evaluate(
            "() => Chart.getChart(document.getElementById('chart-trend'))"
            ".data.datasets[0].data.reduce((a, b) => a + b, 0)"
        )
        assert trend_total == 3

        page.locator('article[data-kpi="reopen_rate"] .basis a').click()
        expect(
            page.get_by_role("heading", name="Reopen rate — the tickets behind it")
        ).to_be_visible()
        expect(page.locator("p.empty")).to_have_text("No tickets.")
        page.go_back()
        opened.locator(".basis a").click()
        rows = page.locator("table.tickets tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.first).to_contain_text("Pesanan 2 belum sampai")
    assert problems == []
