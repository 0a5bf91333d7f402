"""`POST /api/tickets/bulk`: one change applied to many tickets, each on its own.

Every ticket goes through the same service as `PATCH /api/tickets/{id}`, so the SOP close gate
and every permission hold per ticket. A refused ticket is reported, not an error of the request:
the answer is 200 with one result per ticket. Another team's ticket is "not found".
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from sigap.accounts.models import User
from sigap.api.auth import caller
from sigap.api.errors import problems
from sigap.api.schemas.bulk import BulkIn, BulkOut, BulkResultOut
from sigap.core.errors import InvalidInput
from sigap.tickets.bulk import (
    BulkResult,
    Outcome,
    bulk_counts,
    tickets_bulk_assign,
    tickets_bulk_change_status,
)

router = Router(tags=["tickets"])


def _results(by: User, payload: BulkIn) -> list[BulkResult]:
    if payload.action == "status":
        if payload.status is None:
            raise InvalidInput(_('Say which status: "status" is required.'), field="status")
        return tickets_bulk_change_status(
            by=by, ticket_ids=payload.ids, status=payload.status, reason=payload.reason
        )
    if "assignee_id" not in payload.model_fields_set:
        raise InvalidInput(
            _('Say who: "assignee_id" is required (null to unassign).'), field="assignee_id"
        )
    assignee = None
    if payload.assignee_id is not None:
        assignee = User.objects.filter(pk=payload.assignee_id).first()
        if assignee is None:
            raise InvalidInput(
                _("There is no user with id %(pk)s.") % {"pk": payload.assignee_id},
                field="assignee_id",
            )
    return tickets_bulk_assign(by=by, ticket_ids=payload.ids, assignee=assignee)


@router.post(
    "/tickets/bulk",
    response={200: BulkOut, **problems(400, 403)},
    summary="Change many tickets at once",
)
def tickets_bulk(request: HttpRequest, payload: BulkIn) -> BulkOut:
    """`action` "status" moves each ticket to `status` (the SOP close gate holds for each);
    "assign" gives each to `assignee_id`. Each ticket is changed on its own: a refused one is
    left exactly as it was and the others are still changed. More than the limit of tickets,
    or a bad body, is a 400 naming the field, and nothing is changed.
    """
    results = _results(caller(request), payload)
    counts = bulk_counts(results)
    return BulkOut(
        done=counts[Outcome.DONE],
        unchanged=counts[Outcome.UNCHANGED],
        refused=counts[Outcome.REFUSED],
        results=[
            BulkResultOut(
                id=result.ticket_id,
                reference=result.reference,
                outcome=result.outcome,
                reason=result.reason,
                code=result.code,
            )
            for result in results
        ],
    )
