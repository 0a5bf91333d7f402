"""The inbox's action bar: resolve, close, wait on the customer or assign the chosen tickets.

A plain form post that answers with a redirect back to the inbox and messages: what was done,
and each refused ticket with its reason. Works without JavaScript; the script only adds "select
all on this page" and keeps the choice across live refreshes of the list.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sigap.accounts.models import User
from sigap.core.errors import DomainError, InvalidInput, NotAllowed
from sigap.tickets.bulk import (
    BulkResult,
    Outcome,
    tickets_bulk_assign,
    tickets_bulk_change_status,
)
from sigap.tickets.models import Status
from sigap.web.views.common import current_user

STATUS_ACTIONS = {
    "resolve": Status.RESOLVED,
    "close": Status.CLOSED,
    "pending_customer": Status.PENDING_CUSTOMER,
}


def _ids(request: HttpRequest) -> list[int]:
    values = request.POST.getlist("ids")
    if not all(value.isascii() and value.isdigit() and len(value) <= 18 for value in values):
        raise InvalidInput(_("The chosen tickets were not understood; choose them again."))
    return [int(value) for value in values]


def _assignee(request: HttpRequest, by: User, action: str) -> User:
    if action == "assign_me":
        return by
    value = request.POST.get("assignee", "")
    found = (
        User.objects.filter(pk=int(value), is_active=True).first()
        if value.isascii() and value.isdigit() and len(value) <= 18
        else None
    )
    if found is None:
        raise InvalidInput(_("Choose who to assign the tickets to."), field="assignee")
    return found


def _apply(request: HttpRequest, by: User) -> list[BulkResult]:
    action = request.POST.get("action", "")
    ids = _ids(request)
    if action in STATUS_ACTIONS:
        return tickets_bulk_change_status(by=by, ticket_ids=ids, status=STATUS_ACTIONS[action])
    if action in ("assign_me", "assign"):
        assignee = _assignee(request, by, action)
        return tickets_bulk_assign(by=by, ticket_ids=ids, assignee=assignee)
    raise InvalidInput(_("Choose what to do with the chosen tickets."), field="action")


def _report(request: HttpRequest, results: list[BulkResult]) -> None:
    done = [r.reference for r in results if r.outcome != Outcome.REFUSED]
    if done:
        messages.success(
            request,
            ngettext(
                "Done for %(count)s ticket: %(references)s.",
                "Done for %(count)s tickets: %(references)s.",
                len(done),
            )
            % {"count": len(done), "references": ", ".join(done)},
        )
    for result in results:
        if result.refused:
            messages.error(
                request,
                _("%(reference)s was not changed: %(reason)s")
                % {"reference": result.reference, "reason": result.reason},
            )


def _back(request: HttpRequest) -> HttpResponseRedirect:
    """To the inbox as the agent left it: same filters, same page."""
    wanted = request.POST.get("next", "")
    inbox = reverse("inbox")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(wanted if safe and wanted.startswith(inbox) else inbox)


@login_required
@require_POST
def tickets_bulk(request: HttpRequest) -> HttpResponse:
    by = current_user(request)
    if not by.has_perm("tickets.change_ticket"):
        raise PermissionDenied
    try:
        results = _apply(request, by)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        _report(request, results)
    return _back(request)
