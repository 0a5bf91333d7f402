"""The Indonesian catalog is complete, keeps every placeholder and is compiled as committed."""

from __future__ import annotations

import pytest

from sigap.core.translations import build_mo, parse_po
from tests.i18n.catalog import PO_PATH, Entry, entries, header, placeholders


def test_the_committed_mo_is_what_the_po_compiles_to() -> None:
    expected = build_mo(parse_po(PO_PATH.read_text(encoding="utf-8")))

    committed = PO_PATH.with_suffix(".mo").read_bytes()

    assert committed == expected, "the .po changed: run `python scripts/i18n.py compile`"


def test_the_header_says_indonesian_utf8_with_one_plural_form() -> None:
    fields = header()

    assert fields["Language"] == "id"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=1; plural=0;"


def test_the_catalog_is_not_empty() -> None:
    assert len(entries()) > 300


@pytest.mark.parametrize("entry", entries(), ids=lambda entry: entry.msgid[:60])
def test_every_entry_is_translated_with_the_same_placeholders(entry: Entry) -> None:
    assert "fuzzy" not in entry.flags
    assert entry.translations, "no msgstr"
    for translation in entry.translations:
        assert translation.strip(), "empty msgstr"
        assert placeholders(translation) == placeholders(entry.msgid)
    if "msgid_plural" in entry.parts:
        assert placeholders(entry.parts["msgid_plural"]) == placeholders(entry.msgid)
        assert len(entry.translations) == 1  # nplurals=1


def test_placeholders_are_told_apart() -> None:
    assert placeholders("%(name)s has %(count)d and %%s, {customer_name}, <b>x</b>") == {
        "%(name)s": 1,
        "%(count)d": 1,
        "%%": 1,
        "{customer_name}": 1,
        "<b>": 1,
        "</b>": 1,
    }
    assert placeholders("sisa %%s") == placeholders("%%s left")
    assert placeholders("%(name)s") != placeholders("%(nama)s")
