from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sigap.sops.promises import find_promises

NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ("Your replacement ships within 48 hours.", timedelta(hours=48)),
        ("We will refund you in 2 days", timedelta(days=2)),
        ("Dana akan kami kembalikan dalam 24 jam.", timedelta(hours=24)),
        ("Kami proses dalam waktu 3 hari kerja", timedelta(days=3)),
        ("Pesanan diproses maksimal 2x24 jam", timedelta(days=2)),
        ("Teknisi menghubungi Anda dalam 30 menit", timedelta(minutes=30)),
        ("paling lambat 7 hari", timedelta(days=7)),
    ],
)
def test_a_promised_time_is_found_in_either_language(text: str, after: timedelta) -> None:
    [promise] = find_promises(text, now=NOW)

    assert promise.due_at == NOW + after
    assert promise.phrase in text


def test_tomorrow_means_by_the_end_of_tomorrows_working_day_in_jakarta() -> None:
    [promise] = find_promises("Besok kami kabari lagi ya", now=NOW)

    assert promise.due_at == datetime(2026, 11, 3, 10, 0, tzinfo=UTC)  # 17:00 WIB


def test_several_promises_come_earliest_first() -> None:
    found = find_promises(
        "Refund dalam 24 jam, dan barang pengganti dikirim dalam 3 hari.", now=NOW
    )

    assert [p.due_at - NOW for p in found] == [timedelta(hours=24), timedelta(days=3)]


@pytest.mark.parametrize(
    "text",
    [
        "Terima kasih sudah menghubungi kami.",
        "Pesanan 24 jam yang lalu",  # a past time, not a promise
        "Buka 24 jam setiap hari",
        "within 0 days",
    ],
)
def test_ordinary_sentences_promise_nothing(text: str) -> None:
    assert find_promises(text, now=NOW) == []
