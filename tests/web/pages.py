"""Reading what a user sees on a page, without depending on layout details."""

from __future__ import annotations

import html
import re
from typing import Any

_ROW_REFERENCE = re.compile(r'<td data-label="Reference"><a href="/tickets/\d+/">(SGP-\d+)</a>')
_TAG = re.compile(r"<[^>]+>")


def text(response: Any) -> str:
    """The page's visible text with tags removed and whitespace collapsed."""
    content = response.content.decode()
    content = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", content, flags=re.S)
    return " ".join(html.unescape(_TAG.sub(" ", content)).split())


def listed_references(response: Any) -> list[str]:
    return _ROW_REFERENCE.findall(response.content.decode())


def errors(response: Any) -> list[str]:
    found = re.findall(r'<p class="error">(.*?)</p>', response.content.decode(), flags=re.S)
    return [html.unescape(" ".join(e.split())) for e in found]


def alert(response: Any) -> str:
    """The message of the page's alert box (a refused form), or "" when there is none."""
    found = re.search(r'role="alert"><p class="error">([^<]*)</p>', response.content.decode())
    return found.group(1) if found else ""


def next_link(response: Any) -> str | None:
    found = re.search(r'<a class="next" href="([^"]+)"', response.content.decode())
    return html.unescape(found.group(1)) if found else None
