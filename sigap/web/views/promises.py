"""Promises to customers: the agent's list of open ones, and marking one kept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sigap.core import clock
from sigap.core.errors import DomainError
from sigap.sops.commitments import open_promises_of, promise_keep
from sigap.web.views.common import current_user, visible_ticket
from sigap.web.views.tickets import render_ticket

PAGE_SIZE = 100


@login_required
@require_GET
def my_promises(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    promises = list(open_promises_of(user)[:PAGE_SIZE])
    return render(request, "web/promises.html", {"promises": promises, "now": clock.now()})


@login_required
@require_POST
def keep(request: HttpRequest, pk: int, promise_id: int) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(user, pk)
    try:
        promise_keep(ticket=ticket, promise_id=promise_id, by=user)
    except DomainError as error:
        return render_ticket(
            request, user, ticket, status=error.status_code, sop_error=error.message
        )
    messages.success(request, _("Promise kept."))
    if request.POST.get("next") == "promises":
        return redirect("promises")
    return redirect("ticket", pk=pk)
