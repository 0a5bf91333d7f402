"""The SOP editor in a real Chromium: problems appear by line as one types, without saving."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.test_browser import _chromium_or_skip, _signed_in_page, chromium, served_desk

pytestmark = pytest.mark.browser

BROKEN = """\
key: walk-in-greeting
title: Greeting a visitor
purpose: Every visitor is greeted by name within a minute.
steps:
  - id: greet
    kind: action
    title: Greet the visitor
    responsible: janitor
"""


@pytest.fixture(scope="module")
def editor_desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _chromium_or_skip()
    with served_desk(tmp_path_factory.mktemp("editor-desk")) as url:
        yield url


@pytest.fixture(scope="module")
def editor_browser(editor_desk_url: str) -> Iterator[object]:
    with chromium() as launched:
        yield launched


def test_typing_shows_problems_by_line_and_fixing_them_shows_valid(
    editor_browser: object, editor_desk_url: str
) -> None:
    from playwright.sync_api import Page, expect

    problems: list[str] = []
    page = _signed_in_page(editor_browser, editor_desk_url, problems)
    assert isinstance(page, Page)
    page.get_by_role("link", name="SOPs", exact=True).click()
    page.get_by_role("link", name="New SOP").click()
    editor = page.get_by_label("The SOP as YAML")
    check = page.locator("#sop-check")
    expect(check).to_contain_text("Valid")  # the example it starts from

    editor.fill(BROKEN)

    expect(check).to_contain_text("1 problem to fix")
    expect(check).to_contain_text("Line 8")
    expect(check).to_contain_text("step 1 › responsible")
    expect(check).to_contain_text("responsible must be one of agent, supervisor, manager")
    expect(page.locator(".code-gutter .line-problem")).to_have_text("8")
    check.get_by_role("button", name="Line 8").click()
    selected = editor.evaluate("e => e.value.slice(e.selectionStart, e.selectionEnd)")
    assert selected == "    responsible: janitor"

    editor.fill(BROKEN.replace("janitor", "agent"))

    expect(check).to_contain_text("Valid")
    expect(check).to_contain_text("1 step, 1 required")
    expect(page.locator(".code-gutter .line-problem")).to_have_count(0)
    assert page.url == f"{editor_desk_url}/sops/new/"  # checked as typed, never submitted
    assert problems == []
