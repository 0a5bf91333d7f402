"""The manager's export and erase buttons on the customer page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sigap.audit.privacy import customer_erase, customer_export, may_handle_personal_data
from sigap.audit.services import request_ip
from sigap.customers.models import Customer
from sigap.web.views.common import current_user


def _customer_for_manager(request: HttpRequest, pk: int) -> Customer:
    user = current_user(request)
    if not may_handle_personal_data(user):
        raise PermissionDenied(_("Only a manager may export or erase a customer's data."))
    customer = get_object_or_404(Customer, pk=pk)
    if customer.merged_into_id is not None:
        raise Http404(_("This customer was merged into another one."))
    return customer


@login_required
@require_POST
def customer_export_post(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_for_manager(request, pk)
    payload = customer_export(customer, by=current_user(request), ip=request_ip(request))
    response = HttpResponse(payload, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.zip"'
    return response


@login_required
@require_POST
def customer_erase_post(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_for_manager(request, pk)
    if request.POST.get("confirm") != "erase":
        messages.error(request, _("Tick the confirmation to erase this customer's data."))
        return redirect("customer", pk=customer.pk)
    customer_erase(customer, by=current_user(request), ip=request_ip(request))
    messages.success(request, _("The customer's personal data was erased."))
    return redirect("customer", pk=customer.pk)
