from __future__ import annotations

import pytest

from sigap.accounts.models import Team, User
from sigap.core.errors import Conflict, InvalidInput, NotAllowed
from sigap.sops.models import SopVersion, VersionStatus
from sigap.sops.services import (
    current_run,
    sop_import,
    sop_publish,
    sop_step_complete,
    sop_switch,
)
from tests.conftest import SOP_LIBRARY as LIBRARY
from tests.factories import make_ticket


def _source() -> str:
    return (LIBRARY / "damaged-product.yaml").read_text()


def test_a_running_ticket_keeps_its_version_when_a_new_one_is_published(
    damaged_product: SopVersion, supervisor: User, team_a: Team
) -> None:
    ticket = make_ticket(team=team_a, subject="Barang rusak")
    draft = sop_import(text=_source().replace("within: 1h}", "within: 30m}", 1), by=supervisor)

    second = sop_publish(version=draft, by=supervisor, notes="Reply faster")

    damaged_product.refresh_from_db()
    assert (second.number, damaged_product.status) == (2, VersionStatus.RETIRED)
    run = current_run(ticket)
    assert run is not None
    assert run.version == damaged_product
    newer = current_run(make_ticket(team=team_a, subject="Barang rusak"))
    assert newer is not None
    assert newer.version == second


def test_a_published_version_never_changes(damaged_product: SopVersion, supervisor: User) -> None:
    with pytest.raises(Conflict):
        sop_publish(version=damaged_product, by=supervisor, notes="again")

    draft = sop_import(text=_source(), by=supervisor)
    again = sop_import(
        text=_source().replace("review_every_days: 90", "review_every_days: 60"), by=supervisor
    )

    assert draft.pk == again.pk  # the draft is edited in place, not piled up
    damaged_product.refresh_from_db()
    assert damaged_product.document["review_every_days"] == 90


def test_an_invalid_document_is_refused_with_its_line(supervisor: User) -> None:
    with pytest.raises(InvalidInput, match="line 4"):
        sop_import(text="key: x\ntitle: X\npurpose: [\n", by=supervisor)


def test_agents_cannot_publish(agent: User) -> None:
    with pytest.raises(NotAllowed):
        sop_import(text=_source(), by=agent)


def test_switching_sop_keeps_the_old_runs_history(
    damaged_product: SopVersion, agent: User, team_a: Team
) -> None:
    ticket = make_ticket(team=team_a, subject="Barang rusak")
    sop_step_complete(ticket=ticket, step_id="acknowledge", by=agent)
    other = sop_publish(
        version=sop_import(
            text="key: complaint\ntitle: Complaint\npurpose: Handle complaints\n"
            "steps:\n  - {id: listen, kind: action, title: Listen}\n",
            by=None,
        ),
        by=None,
        notes="",
    )

    with pytest.raises(InvalidInput):
        sop_switch(ticket=ticket, version=other, by=agent, reason="")
    sop_switch(ticket=ticket, version=other, by=agent, reason="Customer is angry, not damaged")

    run = current_run(ticket)
    assert run is not None
    assert run.version == other
    assert ticket.sop_runs.count() == 2
    old = ticket.sop_runs.exclude(pk=run.pk).get()
    assert old.ended_at is not None
    assert old.steps.get(step_id="acknowledge").completed_at is not None
    switched = ticket.events.get(kind="sop_switched")
    assert switched.data == {
        "from": "damaged-product",
        "to": "complaint",
        "reason": "Customer is angry, not damaged",
    }
