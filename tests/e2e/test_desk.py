"""The desk in Debian's Chromium against a real `sigap serve`, in Indonesian and in English:
an agent signs in, works the inbox, answers a ticket from its SOP's template and works the
checklist to resolution; every main page is photographed and passes axe-core's scan."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.desk import (
    LOCALES,
    SEED,
    SUBJECTS,
    Shots,
    serious_violations,
    signed_in,
    words,
)
from tests.web.test_browser import _chromium_or_skip, chromium, served_desk

pytestmark = pytest.mark.browser

LANGUAGES = ["id", "en"]
# The main pages a reviewer looks at, by the path an agent reaches them at.
PAGES = {
    "inbox": "/",
    "sops": "/sops/",
    "figures": "/metrics/",
    "unanswered": "/unanswered/",
    "team-queue": "/routing/queue/",
    "sop": "/sops/general-enquiry/",
    "sop-editor": "/sops/new/",
    "customers": "/customers/",
    "log-a-contact": "/tickets/new/contact/",
    "promises": "/promises/",
    "approvals": "/approvals/",
    "follow-ups": "/follow-ups/",
    "feedback": "/feedback/comments/",
    "invitations": "/team/invitations/",
    "password": "/password/change/",
}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    _chromium_or_skip()
    data = tmp_path_factory.mktemp("e2e-desk")
    with served_desk(data, seed=SEED) as url:
        yield url, data


@pytest.fixture(scope="module")
def browser(desk: tuple[str, Any]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _watch(page: Any, problems: list[str]) -> None:
    # A Content-Security-Policy violation or a script error shows up here.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_agent_answers_a_ticket_and_works_its_sop_to_resolution(
    browser: Any, desk: tuple[str, Any], shots: Shots, language: str
) -> None:
    from playwright.sync_api import expect

    url, _data = desk
    # Without a compiled catalogue every word would fall back to English and prove nothing.
    assert language == "en" or words(language, "Send reply") != "Send reply"
    page = browser.new_context(locale=LOCALES[language]).new_page()
    problems: list[str] = []
    _watch(page, problems)
    page.goto(f"{url}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    shots.take(page, f"{language}-sign-in")
    page.close()

    page = signed_in(browser, url, language)
    _watch(page, problems)
    subject = SUBJECTS[language]
    inbox = page.locator("#inbox-list")
    expect(inbox).to_contain_text(subject)
    shots.take(page, f"{language}-inbox")

    inbox.get_by_role("link", name=subject).click()
    expect(page.get_by_role("heading", name=subject)).to_be_visible()
    checklist = page.locator("#sop")
    expect(checklist).to_contain_text(words(language, "SOP"))
    answer = page.locator("#step-answer")
    expect(answer).to_have_class(_has("step-next"))
    shots.take(page, f"{language}-ticket")

    # The step's template goes into the reply; sending it is what the step asks for.
    answer.locator("summary").filter(has_text=words(language, "Template")).click()
    answer.get_by_role("link", name=words(language, "Use in reply")).click()
    body = page.get_by_label(words(language, "Reply to the customer"))
    expect(body).to_have_value(_has("SGP-"))
    assert "{" not in body.input_value()  # every placeholder was filled in
    page.get_by_role("button", name=words(language, "Send reply")).click()
    expect(page.locator(".messages")).to_contain_text(words(language, "Your reply was sent."))
    expect(page.locator("#step-answer")).to_have_class(_has("step-done"))

    confirm = page.locator("#step-confirm")
    confirm.get_by_role("button", name=words(language, "Mark done")).click()
    expect(page.locator("#step-confirm")).to_have_class(_has("step-done"))

    properties = page.locator("#properties")
    properties.locator("select[name=status]").select_option("resolved")
    properties.get_by_role("button", name=words(language, "Save")).click()
    expect(page.locator(".ticket-head .status")).to_have_class(_has("status-resolved"))
    expect(page.locator("#sop .gate")).to_have_count(0)
    shots.take(page, f"{language}-ticket-resolved")
    assert problems == []

    # A worked checklist looks different from a fresh one: it is scanned too.
    scanner = signed_in(browser, url, language, bypass_csp=True)
    scanner.goto(page.url)
    assert serious_violations(scanner) == []


def _has(fragment: str) -> re.Pattern[str]:
    return re.compile(re.escape(fragment))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_main_pages_have_no_serious_accessibility_violations(
    browser: Any, desk: tuple[str, Any], shots: Shots, language: str
) -> None:
    from playwright.sync_api import expect

    url, data = desk
    # The scan is injected as a script, which the desk's own policy rightly refuses.
    context: dict[str, Any] = {"bypass_csp": True}
    found: dict[str, list[str]] = {}

    anonymous = browser.new_context(locale=LOCALES[language], **context).new_page()
    anonymous.goto(f"{url}/login/")
    found["sign-in"] = serious_violations(anonymous)
    # A refused form shows its error, which must be as readable as the rest.
    anonymous.get_by_label(words(language, "Username")).fill("nobody")
    anonymous.get_by_label(words(language, "Password")).fill("not-the-password")
    anonymous.get_by_role("button", name=words(language, "Sign in")).click()
    expect(anonymous.get_by_role("alert")).to_be_visible()
    shots.take(anonymous, f"{language}-sign-in-refused")
    found["sign-in refused"] = serious_violations(anonymous)
    survey = (data / f"survey-{language}.txt").read_text()
    anonymous.goto(f"{url}{survey}")
    expect(anonymous.locator("form")).to_have_count(1)
    shots.take(anonymous, f"{language}-survey")
    found["survey"] = serious_violations(anonymous)

    page = signed_in(browser, url, language, **context)
    for name, path in PAGES.items():
        page.goto(f"{url}{path}")
        expect(page.locator("main h1").first).to_be_visible()
        if name != "inbox":
            shots.take(page, f"{language}-{name}")
        found[name] = serious_violations(page)
    # Straight to it: once the other test has resolved it, the inbox no longer lists it.
    page.goto(url + (data / f"ticket-{language}.txt").read_text())
    expect(page.get_by_role("heading", name=SUBJECTS[language])).to_be_visible()
    found["ticket"] = serious_violations(page)

    assert {name: issues for name, issues in found.items() if issues} == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_customer_answers_the_survey_in_their_language(
    browser: Any, desk: tuple[str, Any], shots: Shots, language: str
) -> None:
    from playwright.sync_api import expect

    url, data = desk
    page = browser.new_context(locale=LOCALES[language]).new_page()
    problems: list[str] = []
    _watch(page, problems)
    page.goto(url + (data / f"survey-{language}.txt").read_text())

    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", name=words(language, "How did we do?"))).to_be_visible()
    page.locator("label.score", has_text="4").click()
    comment = words(language, "Anything you want to tell us? (optional)")
    page.get_by_label(comment).fill("Cepat dan jelas")
    page.get_by_role("button", name=words(language, "Send my answer")).click()

    saved = "Thank you! Your answer is saved. You can change it below while the link works."
    expect(page.get_by_role("status")).to_have_text(words(language, saved))
    expect(page.locator("input[name=score][value='4']")).to_be_checked()
    shots.take(page, f"{language}-survey-answered")
    assert problems == []
