"""The SOP checklist on the ticket page: complete, decide, approve, waive, switch, and grant a
special policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sigap.accounts.models import User
from sigap.core.errors import DomainError
from sigap.sops.selectors import switchable_versions, ticket_checklist
from sigap.sops.services import (
    current_run,
    sop_approval_request,
    sop_special_policy_grant,
    sop_step_complete,
    sop_step_waive,
    sop_switch,
)
from sigap.tickets.models import Ticket
from sigap.web.forms.sop import (
    ApprovalRequestForm,
    SopSwitchForm,
    SpecialPolicyForm,
    StepCompleteForm,
    StepWaiveForm,
)
from sigap.web.views.common import current_user, submitted, visible_ticket
from sigap.web.views.tickets import render_ticket

Action = Callable[[User, Ticket, dict[str, Any]], object]


def _step_action(
    request: HttpRequest, pk: int, form_class: type[forms.Form], action: Action, done: str
) -> HttpResponse:
    """Parse the step form, call the service; a refusal is shown on the ticket page."""
    user = current_user(request)
    ticket = visible_ticket(user, pk)
    form = form_class(request.POST)
    message, status = _("Please check the form."), 400
    if form.is_valid():
        try:
            action(user, ticket, form.cleaned_data)
        except DomainError as error:
            message, status = error.message, error.status_code
        else:
            messages.success(request, done)
            if request.POST.get("next") == "approvals":
                return redirect("approvals")
            return redirect("ticket", pk=pk)
    # Read afresh: a refused service may have touched the object it was given before refusing.
    ticket = visible_ticket(user, pk)
    return render_ticket(request, user, ticket, status=status, sop_error=message)


@login_required
@require_POST
def step_complete(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    return _step_action(
        request,
        pk,
        StepCompleteForm,
        lambda user, ticket, data: sop_step_complete(
            ticket=ticket,
            step_id=step_id,
            by=user,
            outcome=data["outcome"] or None,
            amount=data["amount"],
            note=data["note"],
        ),
        _("Step recorded."),
    )


@login_required
@require_POST
def approval_request(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    return _step_action(
        request,
        pk,
        ApprovalRequestForm,
        lambda user, ticket, data: sop_approval_request(
            ticket=ticket, step_id=step_id, by=user, amount=data["amount"], note=data["note"]
        ),
        _("Your request is in the approvers' queue."),
    )


@login_required
@require_POST
def step_waive(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    return _step_action(
        request,
        pk,
        StepWaiveForm,
        lambda user, ticket, data: sop_step_waive(
            ticket=ticket, step_id=step_id, by=user, reason=data["reason"]
        ),
        _("The step was waived; the reason is on the timeline."),
    )


@login_required
@require_POST
def switch(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(user, pk)
    form = SopSwitchForm(request.POST, versions=switchable_versions(current=current_run(ticket)))

    def move(data: dict[str, Any]) -> str:
        sop_switch(ticket=ticket, version=data["version"], by=user, reason=data["reason"])
        return _("The ticket now follows another SOP.")

    status = submitted(request, form, move)
    if status is None:
        return redirect("ticket", pk=pk)
    return render_ticket(request, user, ticket, status=status, switch_form=form)


@login_required
@require_POST
def special_policy(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(user, pk)
    form = SpecialPolicyForm(request.POST, checklist=ticket_checklist(ticket, user))

    def grant(data: dict[str, Any]) -> str:
        sop_special_policy_grant(
            ticket=ticket,
            by=user,
            reason=data["reason"],
            description=data["description"],
            step_id=data["step"] or None,
        )
        return _("The special policy is granted; it is on the timeline and counted for the SOP.")

    status = submitted(request, form, grant)
    if status is None:
        return redirect("ticket", pk=pk)
    # Someone who may not grant one is not shown the form, so the refusal goes atop the panel.
    refusal = None
    if not user.has_perm("sops.grant_special_policy"):
        refusal = " ".join(str(e) for e in form.non_field_errors()) or None
    return render_ticket(
        request,
        user,
        visible_ticket(user, pk),
        status=status,
        special_policy_form=form,
        sop_error=refusal,
    )
