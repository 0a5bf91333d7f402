"""Changing many tickets at once: the inbox's action bar, `POST /api/tickets/bulk`, the CLI.

Each ticket goes through the same single-ticket service as the ticket page, in a savepoint of
its own, so every rule holds per ticket (the SOP close gate above all) and a refused ticket is
left exactly as it was while the others are changed. The answer says, per ticket, what happened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core.errors import DomainError, InvalidInput, NotAllowed
from sigap.tickets import access
from sigap.tickets.models import Status, Ticket, format_reference
from sigap.tickets.services import (
    STATUS_NOTE_MAX_CHARS,
    ticket_assign,
    ticket_change_status,
)

# The whole batch runs in one request and holds its tickets' row locks until it ends: a bound
# keeps both short (bench/bulk.py measures a batch of this size).
MAX_TICKETS = 200


class Outcome(StrEnum):
    DONE = "done"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True)
class BulkResult:
    ticket_id: int
    reference: str
    outcome: Outcome
    # Why it was refused, in plain words; "" when done.
    reason: str = ""
    # The refusal's kind for programs: not_found, forbidden, conflict, invalid_input.
    code: str = ""

    @property
    def refused(self) -> bool:
        return self.outcome == Outcome.REFUSED


def _checked_ids(by: User, ticket_ids: Iterable[int]) -> list[int]:
    """The ids once each, in the order given; the whole call is refused before any change."""
    if not (access.may_view_tickets(by) and by.has_perm("tickets.change_ticket")):
        raise NotAllowed(_("You may not change tickets."))
    ids = list(dict.fromkeys(ticket_ids))
    if not ids:
        raise InvalidInput(_("Choose at least one ticket."), field="ids")
    if len(ids) > MAX_TICKETS:
        raise InvalidInput(
            _("At most %(max)s tickets at once; %(count)s were chosen. Nothing was changed.")
            % {"max": MAX_TICKETS, "count": len(ids)},
            field="ids",
        )
    return ids


def _each(by: User, ids: list[int], change: Callable[[Ticket], bool]) -> list[BulkResult]:
    """Apply `change` to each ticket `by` may see; `change` says whether anything changed."""
    # One read for all; a ticket of another team is simply not found, as on every other path.
    found = {
        ticket.pk: ticket
        for ticket in access.visible_tickets(by)
        .filter(pk__in=ids)
        .select_related("customer", "team", "assignee", "category")
    }
    results: dict[int, BulkResult] = {}
    # One transaction with a savepoint per ticket: one commit instead of up to 200 (each a
    # disk flush on PostgreSQL; bench/bulk.py). Each ticket's row lock is then held until the
    # batch ends, so locks are taken in id order: two batches over the same tickets queue
    # instead of deadlocking.
    with transaction.atomic():
        for pk in sorted(ids):
            results[pk] = _one(pk, found.get(pk), change)
    return [results[pk] for pk in ids]


def _one(pk: int, ticket: Ticket | None, change: Callable[[Ticket], bool]) -> BulkResult:
    reference = format_reference(pk)
    if ticket is None:
        return BulkResult(
            pk,
            reference,
            Outcome.REFUSED,
            _("No ticket %(reference)s, or you may not see it.") % {"reference": reference},
            "not_found",
        )
    try:
        with transaction.atomic():
            changed = change(ticket)
    except DomainError as error:
        return BulkResult(pk, reference, Outcome.REFUSED, error.message, error.code)
    return BulkResult(pk, reference, Outcome.DONE if changed else Outcome.UNCHANGED)


def tickets_bulk_change_status(
    *, by: User, ticket_ids: Iterable[int], status: str, reason: str = ""
) -> list[BulkResult]:
    """Move each ticket to `status`; one result per distinct id, in the order given."""
    ids = _checked_ids(by, ticket_ids)
    if status not in Status.values:
        raise InvalidInput(_("Unknown status %(status)s.") % {"status": status}, field="status")
    if len(" ".join(reason.split())) > STATUS_NOTE_MAX_CHARS:
        raise InvalidInput(
            _("The reason is longer than %(max)s characters.") % {"max": STATUS_NOTE_MAX_CHARS},
            field="reason",
        )

    def change(ticket: Ticket) -> bool:
        before = ticket.status
        ticket_change_status(ticket=ticket, by=by, status=status, reason=reason)
        return ticket.status != before

    return _each(by, ids, change)


def tickets_bulk_assign(
    *, by: User, ticket_ids: Iterable[int], assignee: User | None
) -> list[BulkResult]:
    """Give each ticket to `assignee` (None: nobody). Someone outside a ticket's team is
    refused for that ticket unless `by` may assign any agent, as on the ticket page."""
    ids = _checked_ids(by, ticket_ids)

    def change(ticket: Ticket) -> bool:
        before = ticket.assignee_id
        ticket_assign(ticket=ticket, by=by, assignee=assignee)
        return ticket.assignee_id != before

    return _each(by, ids, change)


def bulk_counts(results: list[BulkResult]) -> dict[Outcome, int]:
    counts = dict.fromkeys(Outcome, 0)
    for result in results:
        counts[result.outcome] += 1
    return counts
