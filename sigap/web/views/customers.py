"""Customer search and the customer page: details, identities, tickets, merging."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sigap.accounts.models import User
from sigap.core.errors import InvalidInput, NotAllowed, NotFound
from sigap.customers.models import Customer
from sigap.customers.selectors import (
    customer_find,
    customer_get,
    customer_search,
    customer_survivor,
)
from sigap.customers.services import IdentityInput, customer_merge, customer_update, identity_add
from sigap.tickets.selectors import customer_tickets
from sigap.web.forms.customers import CustomerForm, IdentityForm, MergeForm
from sigap.web.views.common import current_user, submitted


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    text = request.GET.get("q", "")
    error = None
    page = None
    try:
        page = customer_search(by=user, text=text, cursor=request.GET.get("cursor") or None)
    except NotAllowed as refusal:
        raise PermissionDenied(refusal.message) from None
    except InvalidInput as refusal:
        error = refusal.message
    next_link = ""
    if page is not None and page.next_cursor:
        next_link = "?" + urlencode(
            {k: v for k, v in (("q", text), ("cursor", page.next_cursor)) if v}
        )
    context = {"q": text, "page": page, "error": error, "next_link": next_link}
    return render(request, "web/customers.html", context, status=400 if error else 200)


def _customer(user: User, pk: int) -> Customer:
    try:
        return customer_get(by=user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from None
    except NotAllowed as refusal:
        # An account without the customer permission: a refusal page, not a server error.
        raise PermissionDenied(refusal.message) from None


def _render(
    request: HttpRequest, user: User, customer: Customer, *, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        "customer": customer,
        "details_form": forms.get("details_form")
        or CustomerForm(
            initial={
                "name": customer.name,
                "language": customer.language,
                "is_vip": customer.is_vip,
                "notes": customer.notes,
            }
        ),
        "identity_form": forms.get("identity_form") or IdentityForm(),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "can_merge": user.has_perm("customers.merge_customers"),
        # .all(): the identities customer_get prefetched, not a second query.
        "identities": sorted(customer.identities.all(), key=lambda i: (i.kind, i.value)),
        "tickets": customer_tickets(user, customer.pk, limit=50),
    }
    return render(request, "web/customer.html", context, status=status)


@login_required
@require_GET
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    customer = _customer(user, pk)
    if customer.merged_into_id is not None:
        return redirect("customer", pk=customer_survivor(by=user, pk=pk).pk)
    return _render(request, user, customer)


def _live_customer(user: User, pk: int) -> Customer:
    customer = _customer(user, pk)
    if customer.merged_into_id is not None:
        # Changes to a merged-away record would be lost from view: send them to the survivor.
        raise Http404(_("This customer was merged into another one."))
    return customer


@login_required
@require_POST
def customer_update_post(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    customer = _live_customer(user, pk)
    form = CustomerForm(request.POST)

    def save(data: dict[str, Any]) -> str:
        customer_update(by=user, customer=customer, **data)
        return _("The customer was saved.")

    status = submitted(request, form, save)
    if status is None:
        return redirect("customer", pk=customer.pk)
    return _render(request, user, _customer(user, pk), status=status, details_form=form)


@login_required
@require_POST
def customer_identity_post(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    customer = _live_customer(user, pk)
    form = IdentityForm(request.POST)

    def add(data: dict[str, Any]) -> str:
        identity_add(by=user, customer=customer, identity=IdentityInput(**data))
        return _("The address was added.")

    status = submitted(request, form, add)
    if status is None:
        return redirect("customer", pk=customer.pk)
    return _render(request, user, customer, status=status, identity_form=form)


@login_required
@require_POST
def customer_merge_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Fold the other customer into this one; this page's customer is the one that stays."""
    user = current_user(request)
    customer = _live_customer(user, pk)
    form = MergeForm(request.POST)

    def merge(data: dict[str, Any]) -> str:
        other = customer_find(by=user, text=data["other"])
        customer_merge(by=user, source=other, target=customer)
        return _("%(other)s was merged into this customer.") % {"other": other.display_name}

    status = submitted(request, form, merge)
    if status is None:
        return redirect("customer", pk=customer.pk)
    return _render(request, user, _customer(user, pk), status=status, merge_form=form)
