"""The ticket page: timeline, reply, internal note, properties, and the customer beside it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sigap.accounts.models import User
from sigap.core.errors import DomainError
from sigap.sla.selectors import ticket_sla
from sigap.sops.commitments import ticket_promises
from sigap.sops.selectors import Checklist, switchable_versions, ticket_checklist
from sigap.sops.services import sop_reply_for_step
from sigap.tickets import access
from sigap.tickets.models import Status, Ticket
from sigap.tickets.selectors import customer_tickets, ticket_timeline
from sigap.tickets.services import (
    ticket_add_note,
    ticket_assign,
    ticket_change_category,
    ticket_change_priority,
    ticket_change_status,
    ticket_change_subject,
    ticket_change_team,
    ticket_reply,
)
from sigap.web.forms.sla import EscalateForm
from sigap.web.forms.sop import SopSwitchForm, SpecialPolicyForm, StepWaiveForm
from sigap.web.forms.tickets import NoteForm, PropertiesForm, ReplyForm
from sigap.web.timeline import ATTACHMENTS, timeline_entries
from sigap.web.views.common import current_user, form_error, submitted, visible_ticket


def render_ticket(
    request: HttpRequest,
    user: User,
    ticket: Ticket,
    *,
    status: int = 200,
    reply_form: ReplyForm | None = None,
    note_form: NoteForm | None = None,
    properties_form: PropertiesForm | None = None,
    escalate_form: EscalateForm | None = None,
    switch_form: SopSwitchForm | None = None,
    special_policy_form: SpecialPolicyForm | None = None,
    sop_error: str | None = None,
) -> HttpResponse:
    """The ticket page; a form the agent sent back with errors is shown instead of a new one."""
    customer = ticket.customer
    checklist = ticket_checklist(ticket, user)
    context = {
        "ticket": ticket,
        "timeline": timeline_entries(ticket_timeline(ticket).prefetch_related(ATTACHMENTS)),
        "checklist": checklist,
        "promises": ticket_promises(ticket),
        "sla": ticket_sla(ticket),
        "escalate_form": escalate_form or EscalateForm(),
        "switch_form": switch_form
        or SopSwitchForm(
            versions=switchable_versions(current=checklist.run if checklist else None)
        ),
        "waive_form": StepWaiveForm(),
        "special_policy_form": special_policy_form or SpecialPolicyForm(checklist=checklist),
        "sop_error": sop_error,
        "reply_form": reply_form or _reply_form(request, checklist),
        "note_form": note_form or NoteForm(),
        "properties_form": properties_form or PropertiesForm(ticket=ticket),
        "customer": customer,
        "identities": list(customer.identities.order_by("kind", "value")),
        "other_tickets": [t for t in customer_tickets(user, customer.pk) if t.pk != ticket.pk],
    }
    return render(request, "web/ticket.html", context, status=status)


def _reply_form(request: HttpRequest, checklist: Checklist | None) -> ReplyForm:
    """The reply box, filled with a message step's template when the agent chose to use it."""
    wanted = request.GET.get("use")
    step = checklist.step(wanted) if checklist and wanted else None
    if step is None or not step.is_open or not step.template_text:
        return ReplyForm()
    return ReplyForm(initial={"body": step.template_text, "sop_step": step.step.id})


@login_required
@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    return render_ticket(request, user, visible_ticket(user, pk))


@login_required
@require_POST
def ticket_reply_post(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(user, pk)
    form = ReplyForm(request.POST)

    def send(data: dict[str, Any]) -> str:
        if data["sop_step"]:
            sop_reply_for_step(
                ticket=ticket,
                step_id=data["sop_step"],
                by=user,
                body=data["body"],
                status=data["status"] or None,
            )
        else:
            status = data["status"]
            ticket_reply(
                ticket=ticket, by=user, body=data["body"], status=Status(status) if status else None
            )
        return _("Your reply was sent.")

    status = submitted(request, form, send)
    if status is None:
        return redirect("ticket", pk=ticket.pk)
    return render_ticket(request, user, visible_ticket(user, pk), status=status, reply_form=form)


@login_required
@require_POST
def ticket_note_post(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(user, pk)
    form = NoteForm(request.POST)

    def note(data: dict[str, Any]) -> str:
        ticket_add_note(ticket=ticket, by=user, body=data["body"])
        return _("Your note was added.")

    status = submitted(request, form, note)
    if status is None:
        return redirect("ticket", pk=ticket.pk)
    return render_ticket(request, user, visible_ticket(user, pk), status=status, note_form=form)


def _apply_changes(user: User, ticket: Ticket, data: dict[str, Any]) -> int:
    """Call the service of each field the agent changed; returns how many changed.

    Compared with the ticket as the form showed it, not as it is after earlier changes: a
    team move may unassign, and that must not read as the agent asking to re-assign.
    """
    before = {
        "team": ticket.team_id,
        "assignee": ticket.assignee_id,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category_id,
        "subject": ticket.subject,
    }
    team, assignee, category = data["team"], data["assignee"], data["category"]
    changed = 0
    if (team.pk if team else None) != before["team"]:
        ticket_change_team(ticket=ticket, by=user, team=team)
        changed += 1
    if (assignee.pk if assignee else None) != before["assignee"]:
        ticket_assign(ticket=ticket, by=user, assignee=assignee)
        changed += 1
    if data["status"] != before["status"]:
        ticket_change_status(ticket=ticket, by=user, status=data["status"])
        changed += 1
    if data["priority"] != before["priority"]:
        ticket_change_priority(ticket=ticket, by=user, priority=data["priority"])
        changed += 1
    if (category.pk if category else None) != before["category"]:
        ticket_change_category(ticket=ticket, by=user, category=category)
        changed += 1
    if " ".join(data["subject"].split()) != before["subject"]:
        ticket_change_subject(ticket=ticket, by=user, subject=data["subject"])
        changed += 1
    return changed


@login_required
@require_POST
def ticket_properties_post(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(user, pk)
    form = PropertiesForm(request.POST, ticket=ticket)
    status = 400
    if form.is_valid():
        try:
            # All or nothing: a refused field leaves the ones before it unsaved too.
            with transaction.atomic():
                changed = _apply_changes(user, ticket, form.cleaned_data)
        except DomainError as error:
            status = form_error(form, error)
        else:
            if changed:
                messages.success(request, _("The ticket was updated."))
            if not access.can_see(user, ticket):
                # Moved to a team this agent is not in: the ticket page would now be a 404.
                return redirect("inbox")
            return redirect("ticket", pk=ticket.pk)
    return render_ticket(
        request, user, visible_ticket(user, pk), status=status, properties_form=form
    )
