"""A policy with a mistake is refused with a message that names the field."""

from __future__ import annotations

import pytest

from sigap.core.errors import InvalidInput
from sigap.sla.configuration import DEFAULT_POLICY_FILE
from sigap.sla.policy import policy_dump, policy_parse

GOOD = DEFAULT_POLICY_FILE.read_text()


def test_the_bundled_policy_is_valid_and_round_trips() -> None:
    document = policy_parse(GOOD)

    assert policy_parse(policy_dump(document)) == document
    chat = document.target_for("chat", "normal")
    assert chat is not None
    assert chat.first_response == 60
    urgent_mail = document.target_for("email", "urgent")
    assert urgent_mail is not None
    assert urgent_mail.first_response == 15 * 60


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("first_response: 1m", "first_response: 0m"), "targets[0].first_response"),
        (("first_response: 1m", "first_response: -5m"), "targets[0].first_response"),
        (("first_response: 1m", "first_response: 60"), "bare number"),
        (("      role: agent\n", ""), "needs a responsible role"),
        (("to_level: 2", "to_level: 7"), "the ladder has 3 levels"),
        (("warn_at_percent: 80", "warn_at_percent: 120"), "warn_at_percent"),
        (("  - channel: phone", "  - channel: fax"), "targets[4].channel"),
        (("  - channel: walk_in", "  - channel: phone"), "two targets for channel phone"),
        (("key: standard", "key: Standard Policy"), "key"),
        (("targets:", "targets: [\n"), "not valid YAML"),
    ],
)
def test_mistakes_are_refused_with_the_field(change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(InvalidInput) as refused:
        policy_parse(GOOD.replace(old, new, 1))

    assert expected in refused.value.message
