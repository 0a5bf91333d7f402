"""An SOP says how its tickets are followed up and surveyed; bad values are refused plainly."""

from __future__ import annotations

import pytest

from sigap.sops.document import FollowUpPlan, SurveyPlan
from sigap.sops.loading import SopInvalid, dump_document, load_document

BASE = """
key: umum
title: Umum
purpose: Tes
steps:
  - id: answer
    kind: action
    title: Jawab
"""


def test_without_the_fields_the_defaults_apply() -> None:
    document = load_document(BASE)
    assert document.follow_up == FollowUpPlan(enabled=True, after_days=2, mode="task")
    assert document.surveys == SurveyPlan(
        kinds=["csat"], channels=["email", "chat", "social"], valid_days=14
    )
    assert "follow_up" not in dump_document(document)


def test_the_sop_chooses_its_follow_up_and_surveys() -> None:
    document = load_document(
        BASE
        + "follow_up: {after_days: 3, mode: message}\n"
        + "surveys: {kinds: [nps], channels: [social], complaint_sop: keluhan}\n"
    )
    assert (document.follow_up.after_days, document.follow_up.mode) == (3, "message")
    assert document.surveys.kinds == ["nps"]
    assert document.surveys.complaint_sop == "keluhan"
    assert load_document(dump_document(document)) == document


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ("follow_up: {after_days: 4}", "follow_up.after_days"),
        ("follow_up: {after_days: 0}", "follow_up.after_days"),
        ("follow_up: {mode: sms}", "follow_up.mode"),
        ("surveys: {kinds: [ces]}", "surveys.kinds"),
        ("surveys: {channels: [fax]}", "surveys.channels"),
        ("surveys: {valid_days: 0}", "surveys.valid_days"),
        ("follow_up: {after_day: 2}", "follow_up"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(extra: str, field: str) -> None:
    with pytest.raises(SopInvalid) as refused:
        load_document(BASE + extra + "\n")
    assert any(field in str(error) for error in refused.value.errors), refused.value.errors
