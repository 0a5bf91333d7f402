"""The desk in a real Chromium against a real `sigap serve`: sign in, reply, live inbox."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.smtp import free_port

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
USERNAME = "kepala"
PASSWORD = "browser-test-password-2024"
SEED = """
from sigap.accounts.services import team_create
from sigap.customers.models import IdentityKind
from sigap.customers.services import IdentityInput, customer_create
from sigap.tickets.models import Channel
from sigap.tickets.services import ticket_open
team = team_create(name="Pelanggan Retail", slug="retail")
wati = customer_create(by=None, name="Wati Susanto",
                       identities=[IdentityInput(IdentityKind.EMAIL, "wati@mail.example")])
ticket_open(customer=wati, identity=wati.identities.first(), channel=Channel.EMAIL,
            subject="Kulkas tidak dingin", body="Sudah dua hari kulkas tidak dingin.", team=team)
"""


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")


def _sigap(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 -- our own command with fixed arguments
        [sys.executable, "-m", "sigap", *args], env=env, check=True, capture_output=True
    )


def _wait_until_listening(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    for _ in range(400):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            pass
        try:
            # Doubles as the pause between tries: returns at once if the server died.
            server.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"sigap serve exited with {server.returncode}:\n{log.read_text()}")
    pytest.fail(f"sigap serve did not listen on port {port}")


@contextmanager
def served_desk(data: Path, *, seed: str | None = None) -> Iterator[str]:
    """A fresh desk with the admin USERNAME, run by `sigap serve` from `data`; yields its URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGAP_")}
    env |= {
        "SIGAP_DATA_DIR": str(data),
        "SIGAP_DATABASE_URL": f"sqlite:///{data / 'desk.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "sigap.settings",
    }
    _sigap(env, "migrate", "--verbosity", "0")
    _sigap(env, "createadmin", "--username", USERNAME, "--password", PASSWORD)
    if seed is not None:
        _sigap(env, "shell", "--command", seed)
    port = free_port()
    log = data / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "sigap", "serve", "--no-workers", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_listening(server, port, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _chromium_or_skip()
    with served_desk(tmp_path_factory.mktemp("desk"), seed=SEED) as url:
        yield url


@pytest.fixture(scope="module")
def browser(desk_url: str) -> Iterator[object]:
    with chromium() as launched:
        yield launched


def _signed_in_page(browser: object, desk_url: str, problems: list[str]) -> object:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    # English, whatever the desk's default: the assertions read English words.
    page = browser.new_context(locale="en-US").new_page()
    # A Content-Security-Policy violation or a script error shows up here.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.goto(f"{desk_url}/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    return page


def test_sign_in_open_a_ticket_and_reply(browser: object, desk_url: str) -> None:
    from playwright.sync_api import Page, expect

    problems: list[str] = []
    page = _signed_in_page(browser, desk_url, problems)
    assert isinstance(page, Page)

    page.get_by_role("link", name="Kulkas tidak dingin").click()
    expect(page.get_by_role("heading", name="Kulkas tidak dingin")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Sudah dua hari kulkas tidak dingin.")
    page.get_by_label("Reply to the customer").fill("Teknisi kami datang besok pagi.")
    page.get_by_role("button", name="Send reply").click()

    expect(page.locator(".messages")).to_contain_text("Your reply was sent.")
    reply = page.locator(".timeline .entry-outbound")
    expect(reply).to_contain_text("replied")
    expect(reply).to_contain_text("Teknisi kami datang besok pagi.")
    assert problems == []


def test_the_inbox_shows_a_new_ticket_without_reloading(browser: object, desk_url: str) -> None:
    from playwright.sync_api import Page, expect

    problems: list[str] = []
    watcher = _signed_in_page(browser, desk_url, problems)
    logger = _signed_in_page(browser, desk_url, problems)
    assert isinstance(watcher, Page)
    assert isinstance(logger, Page)
    expect(watcher.locator("body[data-live='on']")).to_have_count(1)
    expect(watcher.locator("#inbox-list")).not_to_contain_text("Tanya garansi mesin cuci")

    logger.get_by_role("link", name="Log a call/visit").click()
    logger.locator("#id_phone").fill("0812 3456 7890")
    logger.locator("#id_name").fill("Joko Santoso")
    logger.locator("#id_subject").fill("Tanya garansi mesin cuci")
    logger.locator("#id_summary").fill("Garansi mesin cuci berapa lama?")
    logger.get_by_role("button", name="Log it").click()
    expect(logger.get_by_role("heading", name="Tanya garansi mesin cuci")).to_be_visible()

    expect(watcher.locator("#inbox-list")).to_contain_text("Tanya garansi mesin cuci")
    expect(watcher.locator("#inbox-list")).to_contain_text("Joko Santoso")
    assert problems == []
