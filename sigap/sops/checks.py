"""Checks across steps that a schema cannot express, each with the place it applies to."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from sigap.sops.document import SopDocument, Step, predecessors

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str


def document_problems(document: SopDocument) -> list[Problem]:
    problems: list[Problem] = []
    by_id: dict[str, Step] = {}
    index = {step.id: i for i, step in enumerate(document.steps)}
    for i, step in enumerate(document.steps):
        if step.id in by_id:
            problems.append(
                Problem(("steps", i, "id"), _("two steps are called %(step)s") % {"step": step.id})
            )
        by_id[step.id] = step
    for i, step in enumerate(document.steps):
        for j, needed in enumerate(step.after):
            if needed not in by_id:
                problems.append(
                    Problem(
                        ("steps", i, "after", j),
                        _("step %(step)s comes after %(needed)s, which does not exist")
                        % {"step": step.id, "needed": needed},
                    )
                )
        anchor = step.deadline.anchor_step if step.deadline else None
        if anchor is not None and anchor not in by_id:
            problems.append(
                Problem(
                    ("steps", i, "deadline", "from"),
                    _("the deadline of step %(step)s counts from %(anchor)s, which does not exist")
                    % {"step": step.id, "anchor": anchor},
                )
            )
    if problems:
        return problems
    cycle = _cycle(by_id)
    if cycle:
        return [
            Problem(
                ("steps", index[cycle[0]], "after"),
                _("the steps wait for each other in a circle: %(cycle)s")
                % {"cycle": " → ".join(cycle)},
            )
        ]
    for i, step in enumerate(document.steps):
        if step.when is not None:
            problems.extend(_condition_problems(by_id, step, ("steps", i, "when")))
    return problems


def _condition_problems(by_id: dict[str, Step], step: Step, path: Path) -> list[Problem]:
    assert step.when is not None
    decision = by_id.get(step.when.decision)
    if decision is None or decision.kind != "decision":
        return [
            Problem(
                (*path, "decision"),
                _("step %(step)s depends on decision %(decision)s, which is not a decision step")
                % {"step": step.id, "decision": step.when.decision},
            )
        ]
    if decision.id not in predecessors(by_id, step.id):
        return [
            Problem(
                (*path, "decision"),
                _("step %(step)s depends on decision %(decision)s but does not come after it")
                % {"step": step.id, "decision": decision.id},
            )
        ]
    keys = {option.key for option in decision.options}
    return [
        Problem(
            (*path, "is", k),
            _(
                "step %(step)s waits for option %(option)s, which decision %(decision)s "
                "does not offer (%(options)s)"
            )
            % {
                "step": step.id,
                "option": wanted,
                "decision": decision.id,
                "options": ", ".join(sorted(keys)),
            },
        )
        for k, wanted in enumerate(step.when.is_)
        if wanted not in keys
    ]


def _cycle(by_id: dict[str, Step]) -> list[str]:
    done: set[str] = set()
    visiting: list[str] = []

    def visit(step_id: str) -> list[str]:
        if step_id in done:
            return []
        if step_id in visiting:
            return [*visiting[visiting.index(step_id) :], step_id]
        visiting.append(step_id)
        step = by_id[step_id]
        anchor = step.deadline.anchor_step if step.deadline else None
        for needed in [*step.after, *([anchor] if anchor else [])]:
            found = visit(needed)
            if found:
                return found
        visiting.pop()
        done.add(step_id)
        return []

    for step_id in by_id:
        found = visit(step_id)
        if found:
            return found
    return []
