"""Logging a phone call or walk-in visit as a ticket."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sigap.accounts.models import User
from sigap.core.errors import DomainError
from sigap.customers.models import Customer, IdentityKind
from sigap.customers.selectors import customer_survivor
from sigap.customers.services import IdentityInput, customer_for_contact
from sigap.tickets.models import Channel, Priority
from sigap.tickets.services import ticket_log_contact
from sigap.web.forms.contact import ContactForm
from sigap.web.views.common import current_user, form_error


def _contact_customer(by: User, data: dict[str, Any]) -> Customer:
    """The customer named by number, else found (or added) by email, then by phone."""
    if data["customer"]:
        return customer_survivor(by=by, pk=data["customer"])
    addresses = {
        field: IdentityInput(kind=kind, value=data[field])
        for field, kind in (("email", IdentityKind.EMAIL), ("phone", IdentityKind.PHONE))
        if data[field]
    }
    return customer_for_contact(by=by, name=data["name"], addresses=addresses)


@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method != "POST":
        return render(request, "web/contact_new.html", {"form": ContactForm(user=user)})
    form = ContactForm(request.POST, user=user)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                customer = _contact_customer(user, data)
                ticket = ticket_log_contact(
                    by=user,
                    customer=customer,
                    channel=Channel(data["channel"]),
                    subject=data["subject"],
                    summary=data["summary"],
                    team=data["team"],
                    priority=Priority(data["priority"]),
                    category=data["category"],
                    resolved_on_the_spot=data["resolved_on_the_spot"],
                )
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(
                request, _("%(reference)s was logged.") % {"reference": ticket.reference}
            )
            return redirect("ticket", pk=ticket.pk)
    return render(request, "web/contact_new.html", {"form": form}, status=status)
