"""End to end in Debian's Chromium: a shop's page on another site embeds the widget, a visitor
chats, and an agent answers on the ticket page of a real `sigap serve`, side by side."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.processes import running, sigap_process
from tests.smtp import free_port
from tests.web.test_browser import CHROMIUM, chromium

pytestmark = pytest.mark.browser

AGENT = "sari"
PASSWORD = "browser-chat-password-2024"
HOSTILE = '<img src=x onerror="window.__pwned=1">'
SEED = """
from sigap.accounts.models import Role
from sigap.accounts.services import team_create, user_create
from sigap.chat.models import ChatWidget
from sigap.routing.services import presence_set
team = team_create(name="Pelanggan Retail", slug="retail")
sari = user_create(username="{agent}", email="sari@desk.example", password="{password}",
                   role=Role.AGENT, teams=[team], first_name="Sari")
presence_set(user=sari, status="online", by=sari)
ChatWidget.objects.create(key="toko", name="Toko", team=team, allowed_origins="{shop}")
night = team_create(name="Malam", slug="malam")
ChatWidget.objects.create(key="malam", name="Malam", team=night, allowed_origins="{shop}")
"""
SHOP_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>Toko {key}</title></head>
<body><h1>Toko Elektronik</h1>
<script src="{desk}/static/chat/widget.js" data-team="{key}" data-language="en" defer></script>
</body></html>
"""


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")


def _wait_until_listening(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    for _ in range(400):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            pass
        try:
            server.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"sigap serve exited with {server.returncode}:\n{log.read_text()}")
    pytest.fail(f"sigap serve did not listen on port {port}")


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


@contextmanager
def _shop(directory: Path, port: int) -> Iterator[None]:
    """A plain static site on another origin (localhost, not 127.0.0.1, and its own port)."""
    handler = partial(_QuietFiles, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    _chromium_or_skip()
    data = tmp_path_factory.mktemp("desk")
    shop_dir = tmp_path_factory.mktemp("shop")
    desk_port, shop_port = free_port(), free_port()
    desk = f"http://127.0.0.1:{desk_port}"
    shop = f"http://localhost:{shop_port}"
    for key in ("toko", "malam"):
        (shop_dir / f"{key}.html").write_text(SHOP_PAGE.format(desk=desk, key=key))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGAP_")}
    env |= {
        "SIGAP_DATA_DIR": str(data),
        "SIGAP_DATABASE_URL": f"sqlite:///{data / 'desk.sqlite3'}",
        "SIGAP_JOBS_POLL_SECONDS": "0.2",
        "SIGAP_LANGUAGE": "en",
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


def _page(browser: Any, problems: list[str]) -> Any:
    page = browser.new_context(locale="en-US").new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page


def _signed_in_agent(browser: Any, desk: str, problems: list[str]) -> Any:
    from playwright.sync_api import expect

    page = _page(browser, problems)
    page.goto(f"{desk}/")
    page.get_by_label("Username").fill(AGENT)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    return page


def test_a_visitor_and_an_agent_chat_live_and_nothing_they_write_runs(
    browser: Any, sites: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    problems: list[str] = []
    agent = _signed_in_agent(browser, sites["desk"], problems)
    visitor = _page(browser, problems)
    visitor.goto(f"{sites['shop']}/toko.html")

    visitor.get_by_role("button", name="Chat with us").click()
    chat = visitor.get_by_role("dialog", name="Chat with us")
    chat.get_by_label("Your name (optional)").fill(f"Wati {HOSTILE}")
    chat.get_by_role("button", name="Save").click()
    chat.get_by_label("Your message").fill(f"Kulkas tidak dingin {HOSTILE}")
    chat.get_by_role("button", name="Send", exact=True).click()
    expect(chat.get_by_role("log")).to_contain_text(f"Kulkas tidak dingin {HOSTILE}")

    inbox_row = agent.get_by_role("link", name=f"Kulkas tidak dingin {HOSTILE}")
    expect(inbox_row).to_be_visible()  # the live inbox listed it, name and all, as text
    assert agent.evaluate("window.__pwned") is None
    inbox_row.click()
    timeline = agent.locator(".timeline")
    expect(timeline).to_contain_text(f"Kulkas tidak dingin {HOSTILE}")
    expect(agent.locator(".customer-name")).to_contain_text(f"Wati {HOSTILE}")
    expect(agent.locator("body[data-ticket-live='on']")).to_have_count(1)

    chat.get_by_label("Your message").fill("Sudah dua hari.")
    chat.get_by_role("button", name="Send", exact=True).click()
    expect(timeline).to_contain_text("Sudah dua hari.")  # without reloading the page

    agent.get_by_label("Reply to the customer").fill(f"Teknisi kami datang besok pagi. {HOSTILE}")
    agent.get_by_role("button", name="Send reply").click()
    reply = chat.get_by_role("log").locator("li.agent")
    expect(reply).to_contain_text(f"Teknisi kami datang besok pagi. {HOSTILE}")
    expect(reply).to_contain_text("Sari")

    assert visitor.evaluate("window.__pwned") is None
    assert agent.evaluate("window.__pwned") is None
    assert agent.locator(".timeline img").count() == 0
    assert visitor.locator("[data-sigap-chat] img").count() == 0
    assert problems == []


def test_the_conversation_survives_a_reload_of_the_shops_page(
    browser: Any, sites: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    problems: list[str] = []
    visitor = _page(browser, problems)
    visitor.goto(f"{sites['shop']}/toko.html")
    visitor.get_by_role("button", name="Chat with us").click()
    chat = visitor.get_by_role("dialog", name="Chat with us")
    chat.get_by_label("Your message").fill("Apakah ada garansi?")
    chat.get_by_role("button", name="Send", exact=True).click()
    expect(chat.get_by_role("log")).to_contain_text("Apakah ada garansi?")

    visitor.reload()
    visitor.get_by_role("button", name="Chat with us").click()

    expect(chat.get_by_role("log")).to_contain_text("Apakah ada garansi?")
    assert problems == []


def test_with_nobody_available_the_visitor_continues_by_email(
    browser: Any, sites: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    problems: list[str] = []
    visitor = _page(browser, problems)
    visitor.goto(f"{sites['shop']}/malam.html")
    visitor.get_by_role("button", name="Chat with us").click()
    chat = visitor.get_by_role("dialog", name="Chat with us")

    expect(chat.get_by_role("status")).to_contain_text("Nobody from our team can answer live")
    chat.get_by_label("Your message").fill("Kapan toko buka?")
    chat.get_by_label("Your email address").fill("budi@mail.example")
    chat.get_by_role("button", name="Continue by email").click()

    expect(chat.get_by_role("log")).to_contain_text("Kapan toko buka?")
    expect(chat.get_by_role("status")).to_contain_text(
        "We will answer you by email at budi@mail.example"
    )
    assert problems == []
