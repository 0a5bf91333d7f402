"""The bulk service: each ticket through the single-ticket service, each on its own, the SOP
close gate held per ticket, another team's ticket "not found", and a bound on the batch."""

from __future__ import annotations

import pytest

from sigap.accounts.models import Role, Team, User
from sigap.core.errors import InvalidInput, NotAllowed
from sigap.sops.models import SopVersion
from sigap.tickets.bulk import (
    MAX_TICKETS,
    Outcome,
    tickets_bulk_assign,
    tickets_bulk_change_status,
)
from sigap.tickets.models import Status, format_reference
from sigap.tickets.selectors import ticket_timeline
from sigap.web.timeline import timeline_entries
from tests.factories import make_ticket, make_user
from tests.tickets.bulk_desk import GATE, batch, read_only_agent, status_of, untouched


def test_the_close_gate_refuses_one_ticket_while_the_rest_of_the_batch_is_resolved(
    damaged_product: SopVersion, team_a: Team, team_b: Team, agent: User, supervisor: User
) -> None:
    tickets = batch(team_a, team_b, supervisor)

    results = tickets_bulk_change_status(by=agent, ticket_ids=tickets.ids, status="resolved")

    gated, waived, foreign = results
    assert [r.ticket_id for r in results] == tickets.ids
    assert gated.outcome == Outcome.REFUSED
    assert GATE in gated.reason
    assert gated.code == "conflict"
    assert untouched(tickets.gated)
    assert waived.outcome == Outcome.DONE
    assert status_of(tickets.waived) == Status.RESOLVED
    assert foreign.outcome == Outcome.REFUSED
    assert foreign.code == "not_found"
    assert untouched(tickets.foreign)


def test_another_teams_ticket_reads_exactly_like_one_that_does_not_exist(
    team_a: Team, team_b: Team, agent: User
) -> None:
    foreign = make_ticket(team=team_b)
    missing = foreign.pk + 1000

    results = tickets_bulk_change_status(by=agent, ticket_ids=[foreign.pk, missing], status="open")

    told = [r.reason.replace(r.reference, "REF") for r in results]
    assert told[0] == told[1] == "No ticket REF, or you may not see it."
    assert [r.code for r in results] == ["not_found", "not_found"]
    assert untouched(foreign)


def test_more_tickets_than_the_limit_is_refused_whole_and_changes_nothing(
    team_a: Team, agent: User
) -> None:
    ticket = make_ticket(team=team_a)
    ids = [ticket.pk, *range(ticket.pk + 1, ticket.pk + MAX_TICKETS + 1)]

    with pytest.raises(InvalidInput) as refused:
        tickets_bulk_change_status(by=agent, ticket_ids=ids, status="resolved")

    assert refused.value.field == "ids"
    assert f"At most {MAX_TICKETS} tickets at once; {MAX_TICKETS + 1} were chosen" in (
        refused.value.message
    )
    assert untouched(ticket)


def test_someone_who_may_not_change_tickets_changes_none(team_a: Team) -> None:
    ticket = make_ticket(team=team_a)
    reader = read_only_agent(team_a)

    with pytest.raises(NotAllowed):
        tickets_bulk_change_status(by=reader, ticket_ids=[ticket.pk], status="resolved")
    with pytest.raises(NotAllowed):
        tickets_bulk_assign(by=reader, ticket_ids=[ticket.pk], assignee=reader)

    assert untouched(ticket)


def test_an_empty_choice_or_an_unknown_status_is_refused_with_its_field(
    team_a: Team, agent: User
) -> None:
    ticket = make_ticket(team=team_a)

    with pytest.raises(InvalidInput) as empty:
        tickets_bulk_change_status(by=agent, ticket_ids=[], status="resolved")
    with pytest.raises(InvalidInput) as unknown:
        tickets_bulk_change_status(by=agent, ticket_ids=[ticket.pk], status="archived")

    assert empty.value.field == "ids"
    assert unknown.value.field == "status"
    assert untouched(ticket)


def test_a_repeated_id_counts_once_and_an_already_resolved_ticket_is_unchanged(
    team_a: Team, agent: User
) -> None:
    first, second = make_ticket(team=team_a), make_ticket(team=team_a)
    tickets_bulk_change_status(by=agent, ticket_ids=[second.pk], status="resolved")

    results = tickets_bulk_change_status(
        by=agent, ticket_ids=[second.pk, first.pk, second.pk], status="resolved"
    )

    assert [(r.reference, r.outcome) for r in results] == [
        (format_reference(second.pk), Outcome.UNCHANGED),
        (format_reference(first.pk), Outcome.DONE),
    ]
    assert second.events.filter(kind="status_changed").count() == 1


def test_the_reason_shows_on_each_tickets_timeline(team_a: Team, agent: User) -> None:
    tickets = [make_ticket(team=team_a), make_ticket(team=team_a)]

    tickets_bulk_change_status(
        by=agent,
        ticket_ids=[t.pk for t in tickets],
        status="pending_customer",
        reason="Menunggu nomor pesanan",
    )

    for ticket in tickets:
        details = [entry.detail for entry in timeline_entries(ticket_timeline(ticket))]
        assert "from New to Pending customer, because: Menunggu nomor pesanan" in details, details


def test_assigning_in_bulk_keeps_the_team_rule_per_ticket(
    team_a: Team, team_b: Team, agent: User, teammate: User
) -> None:
    ours = make_ticket(team=team_a)
    theirs_member = make_user("joko", Role.AGENT, [team_b], first_name="Joko")

    to_teammate = tickets_bulk_assign(by=agent, ticket_ids=[ours.pk], assignee=teammate)
    to_outsider = tickets_bulk_assign(by=agent, ticket_ids=[ours.pk], assignee=theirs_member)

    assert to_teammate[0].outcome == Outcome.DONE
    assert to_outsider[0].outcome == Outcome.REFUSED
    assert to_outsider[0].reason == "Joko is not in this ticket's team."
    ours.refresh_from_db()
    assert ours.assignee == teammate
