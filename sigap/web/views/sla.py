"""Response times on the web: escalating a ticket, and the unanswered conversations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sigap.core.errors import InvalidInput
from sigap.sla.selectors import unanswered
from sigap.sla.services import ticket_escalate
from sigap.web.forms.sla import EscalateForm
from sigap.web.views.common import current_user, submitted, visible_ticket
from sigap.web.views.tickets import render_ticket


@login_required
@require_POST
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(user, pk)
    form = EscalateForm(request.POST)

    def climb(data: dict[str, Any]) -> str:
        done = ticket_escalate(ticket=ticket, by=user, reason=data["reason"])
        return _("The ticket was escalated to %(level)s.") % {"level": done.level_name}

    status = submitted(request, form, climb)
    if status is None:
        return redirect("ticket", pk=ticket.pk)
    return render_ticket(request, user, visible_ticket(user, pk), status=status, escalate_form=form)


@login_required
@require_GET
def unanswered_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    error = None
    try:
        page = unanswered(user=user, cursor=request.GET.get("cursor") or None)
    except InvalidInput as refusal:
        error, page = refusal.message, None
    context = {"page": page, "error": error}
    return render(request, "web/unanswered.html", context, status=400 if error else 200)
