"""Properties of the engine over randomly built SOPs and histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sigap.sops.document import SopDocument
from sigap.sops.engine import FINISHED, Facts, StepRecord, evaluate
from sigap.sops.loading import parse_document

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@st.composite
def documents(draw: st.DrawFn) -> SopDocument:
    count = draw(st.integers(min_value=1, max_value=9))
    steps: list[dict[str, Any]] = []
    decisions: list[tuple[str, list[str]]] = []
    for i in range(count):
        step_id = f"s{i}"
        earlier = [s["id"] for s in steps]
        step: dict[str, Any] = {
            "id": step_id,
            "kind": "action",
            "title": step_id,
            "mandatory": draw(st.booleans()),
            "after": draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2))
            if earlier
            else [],
        }
        if draw(st.booleans()):
            anchor = draw(st.sampled_from(["start", "resolution", *[f"step:{e}" for e in earlier]]))
            step["deadline"] = {"within": f"{draw(st.integers(1, 72))}h", "from": anchor}
        usable = [d for d in decisions if d[0] in _ancestors(steps, step["after"])]
        if usable and draw(st.booleans()):
            decision, options = draw(st.sampled_from(usable))
            step["when"] = {
                "decision": decision,
                "is": draw(st.lists(st.sampled_from(options), min_size=1, unique=True)),
            }
        if draw(st.integers(0, 3)) == 0:
            options = [f"o{k}" for k in range(draw(st.integers(2, 3)))]
            step["kind"] = "decision"
            step["options"] = [{"key": o, "label": o} for o in options]
            decisions.append((step_id, options))
        steps.append(step)
    return parse_document({"key": "random", "title": "R", "purpose": "P", "steps": steps})


def _ancestors(steps: list[dict[str, Any]], after: list[str]) -> set[str]:
    by_id = {s["id"]: s for s in steps}
    seen: set[str] = set()
    stack = list(after)
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(by_id[current]["after"])
    return seen


@st.composite
def histories(draw: st.DrawFn, document: SopDocument) -> Facts:
    """Play the run forward: repeatedly end one open step, as people would."""
    records: dict[str, StepRecord] = {}
    clock = START
    resolved_at = None
    for _ in range(draw(st.integers(0, len(document.steps) + 1))):
        clock += timedelta(minutes=draw(st.integers(1, 600)))
        run = evaluate(document, Facts(START, resolved_at, records), clock)
        if not run.blocking_resolution and resolved_at is None and draw(st.booleans()):
            resolved_at = clock
            continue
        if not run.open_steps:
            break
        view = draw(st.sampled_from(run.open_steps))
        outcome = (
            draw(st.sampled_from([o.key for o in view.step.options]))
            if view.step.kind == "decision"
            else None
        )
        if draw(st.integers(0, 4)) == 0:
            records[view.step.id] = StepRecord(waived_at=clock, outcome=outcome)
        else:
            records[view.step.id] = StepRecord(completed_at=clock, outcome=outcome)
    return Facts(START, resolved_at, records)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_deadlines_never_precede_their_anchor(data: st.DataObject) -> None:
    document = data.draw(documents())
    facts = data.draw(histories(document))
    run = evaluate(document, facts, START + timedelta(days=30))

    for view in run.steps:
        if view.deadline is None:
            continue
        assert view.step.deadline is not None
        anchor = view.step.deadline.anchor_step
        if view.step.deadline.from_ == "start":
            floor = facts.started_at
        elif view.step.deadline.from_ == "resolution":
            assert facts.resolved_at is not None
            floor = facts.resolved_at
        else:
            assert anchor is not None
            ended = facts.steps[anchor].ended_at
            assert ended is not None
            floor = ended
        assert view.deadline > floor


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_exactly_the_chosen_branch_is_live(data: st.DataObject) -> None:
    document = data.draw(documents())
    facts = data.draw(histories(document))
    run = evaluate(document, facts, START)

    for view in run.steps:
        condition = view.step.when
        if condition is None:
            continue
        record = facts.steps.get(condition.decision)
        outcome = record.outcome if record else None
        decision_view = run.get(condition.decision)
        branch_not_taken = outcome is not None and outcome not in condition.is_
        if branch_not_taken or decision_view.status == "skipped":
            assert view.status == "skipped"
        elif outcome is None and view.step.id not in facts.steps:
            assert view.status in ("blocked", "skipped")


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_recorded_ends_are_never_lost_and_runs_replay_identically(data: st.DataObject) -> None:
    document = data.draw(documents())
    facts = data.draw(histories(document))
    now = START + timedelta(days=data.draw(st.integers(0, 30)))

    run = evaluate(document, facts, now)

    assert run == evaluate(document, facts, now)
    for step_id, record in facts.steps.items():
        expected = "done" if record.completed_at else "waived"
        assert run.get(step_id).status == expected
    for view in run.steps:
        if view.status == "open":
            assert all(run.get(before).status in FINISHED for before in view.step.after)
