"""The SOP checklist on the ticket page: complete, decide, approve, waive, switch."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sigap.core.errors import DomainError
from sigap.sops.selectors import switchable_versions
from sigap.sops.services import (
    sop_approval_request,
    sop_step_complete,
    sop_step_waive,
    sop_switch,
)
from sigap.web.forms.sop import (
    ApprovalRequestForm,
    SopSwitchForm,
    StepCompleteForm,
    StepWaiveForm,
)
from sigap.web.views.common import current_user, form_error, visible_ticket
from sigap.web.views.tickets import render_ticket


def _refused(request: HttpRequest, pk: int, error: DomainError | None) -> HttpResponse:
    user = current_user(request)
    message = error.message if error else _("Please check the form.")
    status = error.status_code if error else 400
    return render_ticket(request, user, visible_ticket(user, pk), status=status, sop_error=message)


@login_required
@require_POST
def step_complete(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(user, pk)
    form = StepCompleteForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, None)
    try:
        sop_step_complete(
            ticket=ticket,
            step_id=step_id,
            by=user,
            outcome=form.cleaned_data["outcome"] or None,
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        return _refused(request, pk, error)
    messages.success(request, _("Step recorded."))
    if request.POST.get("next") == "approvals":
        return redirect("approvals")
    return redirect("ticket", pk=pk)


@login_required
@require_POST
def approval_request(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(user, pk)
    form = ApprovalRequestForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, None)
    try:
        sop_approval_request(
            ticket=ticket,
            step_id=step_id,
            by=user,
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        return _refused(request, pk, error)
    messages.success(request, _("Your request is in the approvers' queue."))
    return redirect("ticket", pk=pk)


@login_required
@require_POST
def step_waive(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(user, pk)
    form = StepWaiveForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, None)
    try:
        sop_step_waive(ticket=ticket, step_id=step_id, by=user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _refused(request, pk, error)
    messages.success(request, _("The step was waived; the reason is on the timeline."))
    return redirect("ticket", pk=pk)


@login_required
@require_POST
def switch(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(user, pk)
    form = SopSwitchForm(request.POST, versions=switchable_versions(ticket))
    status = 400
    if form.is_valid():
        try:
            sop_switch(
                ticket=ticket,
                version=form.cleaned_data["version"],
                by=user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(request, _("The ticket now follows another SOP."))
            return redirect("ticket", pk=pk)
    return render_ticket(request, user, ticket, status=status, switch_form=form)
