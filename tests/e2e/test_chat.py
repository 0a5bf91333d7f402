"""A visitor chats through the widget on a shop's page while an agent answers on the desk, in
Indonesian and in English; the open widget passes axe-core's scan on the shop's page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chat.test_browser import AGENT, PASSWORD, SEED, _shop, _wait_until_listening
from tests.e2e.desk import LOCALES, Shots, serious_violations, words
from tests.processes import running, sigap_process
from tests.smtp import free_port
from tests.web.test_browser import _chromium_or_skip, chromium

pytestmark = pytest.mark.browser

LANGUAGES = ["id", "en"]
SHOP_PAGE = """<!doctype html>
<html lang="{language}"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>Toko</title></head>
<body><main><h1>Toko Elektronik</h1></main>
<script src="{desk}/static/chat/widget.js" data-team="toko" data-language="{language}" defer>
</script>
</body></html>
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    _chromium_or_skip()
    data: Path = tmp_path_factory.mktemp("chat-desk")
    shop_dir: Path = tmp_path_factory.mktemp("chat-shop")
    desk_port, shop_port = free_port(), free_port()
    desk = f"http://127.0.0.1:{desk_port}"
    # Another origin than the desk's, as a shop's own site is.
    shop = f"http://localhost:{shop_port}"
    for language in LANGUAGES:
        page = SHOP_PAGE.format(desk=desk, language=language)
        (shop_dir / f"{language}.html").write_text(page)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGAP_")}
    env |= {
        "SIGAP_DATA_DIR": str(data),
        "SIGAP_DATABASE_URL": f"sqlite:///{data / 'desk.sqlite3'}",
        "SIGAP_JOBS_POLL_SECONDS": "0.2",
        "DJANGO_SETTINGS_MODULE": "sigap.settings",
    }
    for args in (
        ["migrate", "--verbosity", "0"],
        ["shell", "--command", SEED.format(agent=AGENT, password=PASSWORD, shop=shop)],
    ):
        setup = sigap_process(args, env, data / "setup.log")
        assert setup.wait(120) == 0, (data / "setup.log").read_text()
    log = data / "serve.log"
    server = sigap_process(["serve", "--port", str(desk_port)], env, log)
    with running([server]), _shop(shop_dir, shop_port):
        _wait_until_listening(server, desk_port, log)
        yield {"desk": desk, "shop": shop}


@pytest.fixture(scope="module")
def browser(sites: dict[str, str]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _page(browser: Any, language: str, problems: list[str], **context: Any) -> Any:
    page = browser.new_context(locale=LOCALES[language], **context).new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_visitor_chats_and_an_agent_answers(
    browser: Any, sites: dict[str, str], shots: Shots, language: str
) -> None:
    from playwright.sync_api import expect

    problems: list[str] = []
    agent = _page(browser, language, problems)
    agent.goto(f"{sites['desk']}/")
    agent.get_by_label(words(language, "Username")).fill(AGENT)
    agent.get_by_label(words(language, "Password")).fill(PASSWORD)
    agent.get_by_role("button", name=words(language, "Sign in")).click()
    expect(agent.get_by_role("heading", name=words(language, "Inbox"))).to_be_visible()

    visitor = _page(browser, language, problems)
    visitor.goto(f"{sites['shop']}/{language}.html")
    title = words(language, "Chat with us")
    visitor.get_by_role("button", name=title).click()
    chat = visitor.get_by_role("dialog", name=title)
    question = f"Kapan pesanan saya dikirim? ({language})"
    chat.get_by_label(words(language, "Your message")).fill(question)
    chat.get_by_role("button", name=words(language, "Send"), exact=True).click()
    expect(chat.get_by_role("log")).to_contain_text(question)

    row = agent.get_by_role("link", name=question)
    expect(row).to_be_visible()  # the live inbox listed it without a reload
    row.click()
    expect(agent.locator(".timeline")).to_contain_text(question)
    answer = f"Besok pagi dikirim. ({language})"
    agent.get_by_label(words(language, "Reply to the customer")).fill(answer)
    agent.get_by_role("button", name=words(language, "Send reply")).click()
    expect(chat.get_by_role("log").locator("li.agent")).to_contain_text(answer)
    shots.take(visitor, f"{language}-chat-widget")
    shots.take(agent, f"{language}-chat-ticket")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_open_widget_has_no_serious_accessibility_violations(
    browser: Any, sites: dict[str, str], language: str
) -> None:
    from playwright.sync_api import expect

    problems: list[str] = []
    # The scan is injected as a script, which a shop's policy could refuse.
    visitor = _page(browser, language, problems, bypass_csp=True)
    visitor.goto(f"{sites['shop']}/{language}.html")
    title = words(language, "Chat with us")
    visitor.get_by_role("button", name=title).click()
    expect(visitor.get_by_role("dialog", name=title)).to_be_visible()
    assert serious_violations(visitor) == []
