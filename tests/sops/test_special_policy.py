"""Special policies (seed 004): a supervisor allows what the SOP does not foresee, on record."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from sigap.accounts.models import Team, User
from sigap.core import clock
from sigap.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from sigap.sops.models import ExceptionKind, SopException, SopVersion, StepStatus
from sigap.sops.selectors import ExceptionCount, exceptions_per_step
from sigap.sops.services import (
    blocking_steps,
    check_can_resolve,
    current_run,
    sop_special_policy_grant,
    sop_step_complete,
    sop_step_waive,
)
from sigap.tickets.events import EventKind
from sigap.tickets.models import Ticket
from tests.factories import make_ticket

ALLOWED = "Ganti baru tanpa menunggu foto; pelanggan sudah tiga kali dirugikan"
WHY = "Pelanggan lama, kurir mengakui paket rusak"


def _report(team: Team) -> Ticket:
    return make_ticket(team=team, subject="Vas pecah", body="Datang rusak")


def _status(ticket: Ticket, step_id: str) -> str:
    run = current_run(ticket)
    assert run is not None
    return run.steps.get(step_id=step_id).status


def test_an_agent_may_not_grant_a_special_policy(
    agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)

    with pytest.raises(NotAllowed):
        sop_special_policy_grant(ticket=ticket, by=agent, reason=WHY, description=ALLOWED)

    assert not SopException.objects.exists()
    assert not ticket.events.filter(kind=EventKind.SOP_SPECIAL_POLICY_GRANTED).exists()


def test_a_supervisor_grants_one_for_the_ticket_as_a_whole(
    supervisor: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)

    granted = sop_special_policy_grant(
        ticket=ticket, by=supervisor, reason=f"  {WHY} ", description=ALLOWED
    )

    run = current_run(ticket)
    assert run is not None
    assert (granted.kind, granted.step_id, granted.reason, granted.description) == (
        ExceptionKind.SPECIAL_POLICY,
        "",
        WHY,
        ALLOWED,
    )
    assert (granted.run, granted.version, granted.by) == (run, damaged_product, supervisor)
    event = ticket.events.get(kind=EventKind.SOP_SPECIAL_POLICY_GRANTED)
    assert event.actor_user == supervisor
    assert event.data == {
        "sop": "damaged-product",
        "version": 1,
        "reason": WHY,
        "description": ALLOWED,
    }
    assert _status(ticket, "acknowledge") == StepStatus.OPEN  # no step named, none settled


def test_naming_a_step_settles_it_so_it_no_longer_blocks_resolving(
    supervisor: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    sop_step_complete(ticket=ticket, step_id="acknowledge", by=supervisor)
    assert "ask-evidence" in [s.step_id for s in blocking_steps(ticket)]

    sop_special_policy_grant(
        ticket=ticket, by=supervisor, reason=WHY, description=ALLOWED, step_id="ask-evidence"
    )

    run = current_run(ticket)
    assert run is not None
    state = run.steps.get(step_id="ask-evidence")
    assert (state.status, state.waived_by, state.reason) == (StepStatus.WAIVED, supervisor, WHY)
    assert "ask-evidence" not in [s.step_id for s in blocking_steps(ticket)]
    assert _status(ticket, "verify") == StepStatus.OPEN  # the SOP carries on after it
    event = ticket.events.get(kind=EventKind.SOP_SPECIAL_POLICY_GRANTED)
    assert event.data["step"] == "ask-evidence"
    assert SopException.objects.get().step_id == "ask-evidence"


def test_with_every_blocking_step_settled_the_ticket_may_be_resolved(
    supervisor: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    for _ in range(20):
        blocking = blocking_steps(ticket)
        if not blocking:
            break
        sop_special_policy_grant(
            ticket=ticket,
            by=supervisor,
            reason=WHY,
            description=ALLOWED,
            step_id=blocking[0].step_id,
        )

    check_can_resolve(ticket)  # raises nothing


@pytest.mark.parametrize(
    ("reason", "description", "field"),
    [("", ALLOWED, "reason"), ("  ok ", ALLOWED, "reason"), (WHY, "   ", "description")],
)
def test_a_reason_and_what_is_allowed_are_required(
    supervisor: User,
    team_a: Team,
    damaged_product: SopVersion,
    reason: str,
    description: str,
    field: str,
) -> None:
    ticket = _report(team_a)

    with pytest.raises(InvalidInput) as refused:
        sop_special_policy_grant(
            ticket=ticket, by=supervisor, reason=reason, description=description
        )

    assert refused.value.field == field
    assert not SopException.objects.exists()


def test_the_step_must_exist_and_not_have_ended(
    supervisor: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)
    sop_step_complete(ticket=ticket, step_id="acknowledge", by=supervisor)

    with pytest.raises(NotFound) as missing:
        sop_special_policy_grant(
            ticket=ticket, by=supervisor, reason=WHY, description=ALLOWED, step_id="ghost"
        )
    with pytest.raises(Conflict) as ended:
        sop_special_policy_grant(
            ticket=ticket, by=supervisor, reason=WHY, description=ALLOWED, step_id="acknowledge"
        )

    assert (missing.value.field, ended.value.field) == ("step", "step")
    assert not SopException.objects.exists()
    assert not ticket.events.filter(kind=EventKind.SOP_SPECIAL_POLICY_GRANTED).exists()


def test_a_ticket_without_an_sop_has_nothing_to_grant_against(
    supervisor: User, team_a: Team
) -> None:
    ticket = _report(team_a)

    with pytest.raises(NotFound):
        sop_special_policy_grant(ticket=ticket, by=supervisor, reason=WHY, description=ALLOWED)


def test_a_supervisor_of_another_team_may_not_grant_on_this_ticket(
    team_a: Team, team_b: Team, damaged_product: SopVersion
) -> None:
    from sigap.accounts.models import Role
    from tests.factories import make_user

    other = make_user("yanti", Role.SUPERVISOR, [team_b])
    ticket = _report(team_a)

    with pytest.raises(NotAllowed):
        sop_special_policy_grant(ticket=ticket, by=other, reason=WHY, description=ALLOWED)


def test_waiving_a_step_is_recorded_as_an_exception_too(
    agent: User, team_a: Team, damaged_product: SopVersion
) -> None:
    ticket = _report(team_a)

    sop_step_waive(ticket=ticket, step_id="acknowledge", by=agent, reason=WHY)

    exception = SopException.objects.get()
    assert (exception.kind, exception.step_id, exception.reason, exception.by) == (
        ExceptionKind.WAIVED,
        "acknowledge",
        WHY,
        agent,
    )
    assert exception.version == damaged_product


def test_exceptions_are_counted_per_sop_version_and_step_most_first(
    agent: User,
    supervisor: User,
    team_a: Team,
    damaged_product: SopVersion,
    django_assert_num_queries: Callable[[int], AbstractContextManager[Any]],
) -> None:
    with time_machine.travel(clock.now() - timedelta(days=200), tick=False):
        old = _report(team_a)
        sop_step_waive(ticket=old, step_id="ask-evidence", by=agent, reason=WHY)
    since = clock.now() - timedelta(days=90)
    for _ in range(3):
        ticket = _report(team_a)
        sop_step_waive(ticket=ticket, step_id="ask-evidence", by=agent, reason=WHY)
        sop_special_policy_grant(
            ticket=ticket, by=supervisor, reason=WHY, description=ALLOWED, step_id="acknowledge"
        )
    sop_special_policy_grant(ticket=ticket, by=supervisor, reason=WHY, description=ALLOWED)
    sop_special_policy_grant(
        ticket=ticket, by=supervisor, reason=WHY, description=ALLOWED, step_id="verify"
    )

    with django_assert_num_queries(1):
        recent = exceptions_per_step(version=damaged_product, since=since)

    assert recent == [
        ExceptionCount("damaged-product", 1, "acknowledge", waived=0, special_policy=3),
        ExceptionCount("damaged-product", 1, "ask-evidence", waived=3, special_policy=0),
        ExceptionCount("damaged-product", 1, "", waived=0, special_policy=1),
        ExceptionCount("damaged-product", 1, "verify", waived=0, special_policy=1),
    ]
    everything = exceptions_per_step()
    assert everything[0] == ExceptionCount("damaged-product", 1, "ask-evidence", 4, 0)
    assert sum(row.total for row in everything) == 9
