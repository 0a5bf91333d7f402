"""Reads: one customer, the customer that survived a merge, and the customer search."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core.cursor import Page, paginate_desc
from sigap.core.errors import InvalidInput, NotAllowed, NotFound
from sigap.customers.identities import normalise_identity
from sigap.customers.models import Customer, CustomerIdentity, IdentityKind

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]{6,}$")
_NUMBER = re.compile(r"^#?(\d{1,18})$")


def _check_can_view(by: User) -> None:
    if not by.is_active or not by.has_perm("customers.view_customer"):
        raise NotAllowed(_("You may not see customers."))


def _with_identities(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    return customers.prefetch_related("identities", "merged_from")


def customer_get(*, by: User, pk: int) -> Customer:
    """The customer record itself, merged away or not, with its identities."""
    _check_can_view(by)
    customer = _with_identities(Customer.objects.filter(pk=pk)).first()
    if customer is None:
        raise NotFound(_("No customer %(pk)s.") % {"pk": pk})
    return customer


def customer_survivor(*, by: User, pk: int) -> Customer:
    """The customer, or the one it was merged into, so old links still lead somewhere."""
    customer = customer_get(by=by, pk=pk)
    seen = {customer.pk}
    while customer.merged_into_id is not None and customer.merged_into_id not in seen:
        # A merge never targets a merged record; `seen` only guards against a hand-edited loop.
        seen.add(customer.merged_into_id)
        customer = customer_get(by=by, pk=customer.merged_into_id)
    return customer


def customer_find(*, by: User, text: str) -> Customer:
    """The one customer meant by a number (#123), an email address or a phone number."""
    _check_can_view(by)
    text = text.strip()
    number = _NUMBER.match(text)
    if number:
        return customer_get(by=by, pk=int(number.group(1)))
    kind = IdentityKind.EMAIL if "@" in text else IdentityKind.PHONE
    value = normalise_identity(kind, text)
    identity = (
        CustomerIdentity.objects.select_related("customer").filter(kind=kind, value=value).first()
    )
    if identity is None:
        raise NotFound(_("No customer has the address %(value)s.") % {"value": value})
    return identity.customer


def _matching(customers: QuerySet[Customer], text: str) -> QuerySet[Customer]:
    if "@" in text:
        owners = CustomerIdentity.objects.filter(
            kind=IdentityKind.EMAIL, value__startswith=text.lower()
        ).values("customer_id")
        return customers.filter(pk__in=owners)
    if _PHONE_LIKE.match(text):
        # Stored numbers are +62…; what is typed may be 0812…, 62812… or +62 812….
        digits = re.sub(r"\D", "", text).lstrip("0")
        owners = CustomerIdentity.objects.filter(
            kind=IdentityKind.PHONE, value__contains=digits
        ).values("customer_id")
        return customers.filter(pk__in=owners)
    return customers.filter(name__icontains=text)


def customer_search(
    *, by: User, text: str, cursor: str | None, size: int = PAGE_SIZE
) -> Page[Customer]:
    """Customers whose name, email or phone number matches `text`, newest first.

    Merged records are left out: their identities and tickets now belong to the survivor.
    """
    _check_can_view(by)
    text = text.strip()
    if len(text) > 200:
        raise InvalidInput(_("The search text is too long."), field="q")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            _("size must be between 1 and %(max)s.") % {"max": MAX_PAGE_SIZE}, field="size"
        )
    customers = Customer.objects.filter(merged_into__isnull=True)
    if text:
        customers = _matching(customers, text)
    return paginate_desc(_with_identities(customers), field="created_at", cursor=cursor, size=size)
