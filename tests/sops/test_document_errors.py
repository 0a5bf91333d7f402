from __future__ import annotations

from pathlib import Path

import pytest

from sigap.sops.loading import SopInvalid, dump_document, load_document

LIBRARY = Path(__file__).resolve().parents[2] / "sigap" / "sops" / "library"

VALID_HEAD = """\
key: sample
title: Sample
purpose: Show errors
steps:
"""


def _errors(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(SopInvalid) as raised:
        load_document(text)
    return [(e.line, e.field, e.message) for e in raised.value.errors]


def test_every_bundled_sop_loads_and_round_trips() -> None:
    files = sorted(LIBRARY.glob("*.yaml"))
    assert files
    for path in files:
        document = load_document(path.read_text())
        assert load_document(dump_document(document)) == document


def test_broken_yaml_names_its_line() -> None:
    errors = _errors(VALID_HEAD + "  - id: a\n    kind: [action\n")

    assert errors[0][0] == 7  # where the parser noticed the unclosed bracket
    assert "not valid YAML" in errors[0][2]


def test_unknown_role_names_line_and_field() -> None:
    errors = _errors(
        VALID_HEAD + "  - id: a\n    kind: action\n    title: A\n    responsible: janitor\n"
    )

    assert errors == [
        (8, "steps[0].responsible", errors[0][2]),
    ]
    assert "responsible must be one of agent, supervisor, manager" in errors[0][2]


def test_unknown_step_reference() -> None:
    errors = _errors(VALID_HEAD + "  - id: a\n    kind: action\n    title: A\n    after: [ghost]\n")

    assert errors == [(8, "steps[0].after[0]", "step a comes after ghost, which does not exist")]


def test_cycle_is_refused() -> None:
    errors = _errors(
        VALID_HEAD
        + "  - id: a\n    kind: action\n    title: A\n    after: [b]\n"
        + "  - id: b\n    kind: action\n    title: B\n    after: [a]\n"
    )

    assert len(errors) == 1
    assert "circle: a → b → a" in errors[0][2]


def test_condition_on_a_missing_decision_option() -> None:
    text = (
        VALID_HEAD
        + "  - id: pick\n    kind: decision\n    title: Pick\n"
        + "    options:\n      - {key: yes, label: Ya}\n      - {key: no, label: Tidak}\n"
        + "  - id: act\n    kind: action\n    title: Act\n    after: [pick]\n"
        + "    when: {decision: pick, is: maybe}\n"
    )

    errors = _errors(text.replace("key: yes", "key: 'y'").replace("key: no", "key: 'n'"))

    assert errors == [
        (
            15,
            "steps[1].when.is[0]",
            "step act waits for option maybe, which decision pick does not offer (n, y)",
        )
    ]


def test_template_variable_that_does_not_exist() -> None:
    errors = _errors(
        VALID_HEAD
        + "  - id: hi\n    kind: message\n    title: Hi\n    template: Halo {nama_pelanggan}\n"
    )

    assert errors[0][0] == 5
    assert "{nama_pelanggan}, which does not exist" in errors[0][2]


def test_bad_duration_and_unknown_field() -> None:
    errors = _errors(
        VALID_HEAD
        + "  - id: a\n    kind: action\n    title: A\n    deadline: {within: soon}\n"
        + "    colour: red\n"
    )

    fields = {field: line for line, field, _ in errors}
    assert fields == {"steps[0].deadline.within": 8, "steps[0].colour": 9}
