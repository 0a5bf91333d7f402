"""Compile gettext .po catalogs to .mo in pure Python, so no GNU gettext is needed to build."""

from __future__ import annotations

import ast
import struct
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def _unquote(line: str) -> str:
    value = ast.literal_eval(line)
    if not isinstance(value, str):
        raise ValueError(f"not a string: {line!r}")
    return value


def parse_po(text: str) -> dict[str, str]:
    """Translated entries of a .po file as .mo keys and values; fuzzy and empty ones left out."""
    catalog: dict[str, str] = {}
    entry: dict[str, list[str]] = {}
    current = ""
    entry_fuzzy = next_fuzzy = False

    def flush() -> None:
        if "msgid" not in entry or entry_fuzzy:
            return
        key = "".join(entry["msgid"])
        if "msgid_plural" in entry:
            key += "\0" + "".join(entry["msgid_plural"])
        if "msgctxt" in entry:
            key = "".join(entry["msgctxt"]) + "\x04" + key
        values = ["".join(entry[k]) for k in sorted(k for k in entry if k.startswith("msgstr"))]
        if values and all(values):
            catalog[key] = "\0".join(values)

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#,"):
            next_fuzzy = next_fuzzy or "fuzzy" in line
            continue
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            entry[current].append(_unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        starts_entry = keyword == "msgctxt" or (keyword == "msgid" and "msgctxt" not in entry)
        if starts_entry or (keyword == "msgid" and "msgid" in entry):
            flush()
            entry = {}
            entry_fuzzy, next_fuzzy = next_fuzzy, False
        if keyword.startswith("msgstr["):
            keyword = f"msgstr[{int(keyword[7:-1]):03d}]"
        current = keyword
        entry[current] = [_unquote(rest)]
    flush()
    return catalog


def build_mo(catalog: dict[str, str]) -> bytes:
    keys = sorted(catalog)
    ids = [k.encode() for k in keys]
    strs = [catalog[k].encode() for k in keys]
    header_size = 7 * 4
    count = len(keys)
    ids_start = header_size + count * 16
    offsets: list[tuple[int, int]] = []
    blob = b""
    for data in ids:
        offsets.append((len(data), ids_start + len(blob)))
        blob += data + b"\0"
    str_offsets: list[tuple[int, int]] = []
    for data in strs:
        str_offsets.append((len(data), ids_start + len(blob)))
        blob += data + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, count, header_size, header_size + count * 8, 0, 0)
    for length, offset in offsets:
        out += struct.pack("<2I", length, offset)
    for length, offset in str_offsets:
        out += struct.pack("<2I", length, offset)
    return out + blob


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    written = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(build_mo(parse_po(po.read_text(encoding="utf-8"))))
        written.append(mo)
    return written
