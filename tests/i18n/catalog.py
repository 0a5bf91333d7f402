"""Reading the Indonesian catalog entry by entry, untranslated and fuzzy ones included."""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sigap.core.translations import LOCALE_DIR

PO_PATH = LOCALE_DIR / "id" / "LC_MESSAGES" / "django.po"

# %(name)s and %s-style conversions, a literal %% and str.format fields such as {customer_name}.
_PLACEHOLDER = re.compile(
    r"%%|%\([^)]+\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|\{[A-Za-z_][A-Za-z0-9_]*\}"
)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    parts: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.parts["msgid"]

    @property
    def translations(self) -> list[str]:
        return [value for key, value in sorted(self.parts.items()) if key.startswith("msgstr")]


def entries(path: Path = PO_PATH) -> list[Entry]:
    """Every entry after the header, in file order."""
    found: list[Entry] = []
    entry = Entry()
    current = ""
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if "msgid" in entry.parts:
                found.append(entry)
            entry = Entry()
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry.parts[current] += ast.literal_eval(line)
        else:
            current, _, rest = line.partition(" ")
            entry.parts[current] = ast.literal_eval(rest)
    return [e for e in found if e.msgid != ""]


def header(path: Path = PO_PATH) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    block = text[text.index('msgid ""') : text.index("\n\n")]
    value = "".join(ast.literal_eval(line) for line in block.splitlines()[2:])
    return dict(line.split(": ", 1) for line in value.splitlines() if ": " in line)


def placeholders(text: str) -> Counter[str]:
    return Counter(_PLACEHOLDER.findall(text)) + Counter(_TAG.findall(text))
