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
from sigap.core.errors import DomainError, InvalidInput
from sigap.customers.models import Customer, IdentityKind
from sigap.customers.selectors import customer_survivor
from sigap.customers.services import IdentityInput, customer_for_identity, identity_add
from sigap.tickets.models import Channel, Priority
from sigap.tickets.services import ticket_log_contact
from sigap.web.forms.contact import ContactForm
from sigap.web.views.common import current_user, form_error


def _on_field(
    field: str, identity: IdentityInput, *, by: User, customer: Customer | None, name: str
) -> Customer:
    """Find or add the customer by this address, or add the address to the one found already.

    A bad address is reported beside the field it was typed in.
    """
    try:
        if customer is None:
            return customer_for_identity(identity=identity, name=name)[0]
        identity_add(by=by, customer=customer, identity=identity)
        return customer
    except DomainError as error:
        if error.field == "value":
            error.field = field
        raise


def _contact_customer(by: User, data: dict[str, Any]) -> Customer:
    """The customer named by number, else found (or added) by email, then by phone."""
    if data["customer"]:
        return customer_survivor(by=by, pk=data["customer"])
    customer: Customer | None = None
    for field, kind in (("email", IdentityKind.EMAIL), ("phone", IdentityKind.PHONE)):
        if not data[field]:
            continue
        identity = IdentityInput(kind=kind, value=data[field])
        customer = _on_field(field, identity, by=by, customer=customer, name=data["name"])
    if customer is None:
        raise InvalidInput(_("Give the customer's number, email address or phone number."))
    return customer


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
