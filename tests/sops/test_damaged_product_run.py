"""MISSION.md §B end to end, through the engine with a controlled clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sigap.sops.engine import Facts, StepRecord, evaluate
from sigap.sops.loading import load_document

DOCUMENT = load_document(
    (Path(__file__).resolve().parents[2] / "sigap/sops/library/damaged-product.yaml").read_text()
)
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def test_a_new_report_must_be_answered_within_one_hour() -> None:
    run = evaluate(DOCUMENT, Facts(started_at=START), now=START)

    assert run.next_step is not None
    assert run.next_step.step.id == "acknowledge"
    assert run.next_step.deadline == START + HOUR
    assert [v.step.id for v in run.open_steps] == ["acknowledge"]
    assert run.get("ask-evidence").status == "blocked"

    late = evaluate(DOCUMENT, Facts(started_at=START), now=_at(1.5))
    assert late.get("acknowledge").is_overdue


def _until_decision() -> dict[str, StepRecord]:
    return {
        "acknowledge": StepRecord(completed_at=_at(0.5)),
        "ask-evidence": StepRecord(completed_at=_at(0.6)),
        "verify": StepRecord(completed_at=_at(3)),
    }


def test_evidence_then_verification_then_the_choice() -> None:
    steps = {
        "acknowledge": StepRecord(completed_at=_at(0.5)),
        "ask-evidence": StepRecord(completed_at=_at(0.6)),
    }
    run = evaluate(DOCUMENT, Facts(started_at=START, steps=steps), now=_at(1))

    assert run.next_step is not None
    assert run.next_step.step.id == "verify"
    assert run.next_step.deadline == _at(0.6) + 4 * HOUR

    run = evaluate(DOCUMENT, Facts(started_at=START, steps=_until_decision()), now=_at(3))
    assert [v.step.id for v in run.open_steps] == ["resolution"]
    assert {v.step.id for v in run.blocking_resolution} >= {"resolution"}


@pytest.mark.parametrize(
    ("choice", "branch", "limit"),
    [
        ("refund", "refund", 24 * HOUR),
        ("replacement", "ship-replacement", 48 * HOUR),
        ("repair", "send-to-repair", 24 * HOUR),
    ],
)
def test_each_choice_opens_exactly_its_branch_with_its_deadline(
    choice: str, branch: str, limit: timedelta
) -> None:
    decided_at = _at(5)
    steps = {**_until_decision(), "resolution": StepRecord(completed_at=decided_at, outcome=choice)}

    run = evaluate(DOCUMENT, Facts(started_at=START, steps=steps), now=decided_at)

    branches = {"refund", "ship-replacement", "send-to-repair"}
    assert [v.step.id for v in run.open_steps] == [branch]
    assert {v.step.id for v in run.steps if v.status == "skipped"} == branches - {branch}
    assert run.get(branch).deadline == decided_at + limit
    assert [v.step.id for v in run.blocking_resolution] == [branch]
    assert run.get("follow-up").status == "blocked"

    done_at = decided_at + limit - HOUR
    resolved_at = done_at + HOUR / 2
    steps[branch] = StepRecord(completed_at=done_at, outcome="approved")
    run = evaluate(
        DOCUMENT,
        Facts(started_at=START, resolved_at=resolved_at, steps=steps),
        now=resolved_at,
    )
    assert run.blocking_resolution == []
    follow_up = run.get("follow-up")
    assert follow_up.status == "open"
    assert follow_up.deadline == resolved_at + timedelta(days=2)

    steps["follow-up"] = StepRecord(completed_at=resolved_at + timedelta(days=1))
    finished = evaluate(
        DOCUMENT, Facts(started_at=START, resolved_at=resolved_at, steps=steps), now=_at(100)
    )
    assert finished.is_complete


def test_the_follow_up_never_holds_up_resolving() -> None:
    decided = {
        **_until_decision(),
        "resolution": StepRecord(completed_at=_at(5), outcome="refund"),
        "refund": StepRecord(completed_at=_at(6), outcome="approved"),
    }

    run = evaluate(DOCUMENT, Facts(started_at=START, steps=decided), now=_at(6))

    assert run.blocking_resolution == []
    assert run.get("follow-up").deadline is None  # counts from a resolution not yet made


def test_waiving_a_step_lets_the_run_go_on_and_is_kept() -> None:
    steps = {
        "acknowledge": StepRecord(completed_at=_at(0.2)),
        "ask-evidence": StepRecord(waived_at=_at(0.3)),
    }

    run = evaluate(DOCUMENT, Facts(started_at=START, steps=steps), now=_at(0.3))

    assert run.get("ask-evidence").status == "waived"
    assert run.get("verify").status == "open"
    assert run.get("verify").deadline == _at(0.3) + 4 * HOUR
