"""Customer endpoints: search, create, change, identities, merge, and their tickets."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import P, QueryEx, Router
from ninja.responses import Status as Respond

from sigap.accounts.models import User
from sigap.api.auth import caller
from sigap.api.errors import fields_renamed, problems
from sigap.api.present import customer_out, identity_out, ticket_summary
from sigap.api.schemas.common import PathId, Text
from sigap.api.schemas.customers import (
    CustomerChange,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    IdentityIn,
    IdentityOut,
    MergeIn,
)
from sigap.api.schemas.tickets import TicketPage
from sigap.core.errors import Conflict, InvalidInput, NotFound
from sigap.customers.models import Customer
from sigap.customers.selectors import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    customer_get,
    customer_search,
    customer_survivor,
)
from sigap.customers.services import (
    IdentityInput,
    customer_create,
    customer_merge,
    customer_update,
    identity_add,
)
from sigap.tickets.selectors import customer_tickets_page

router = Router(tags=["customers"])

PageSize = QueryEx[int, P(ge=1, le=MAX_PAGE_SIZE)]


def _live_customer(by: User, pk: int) -> Customer:
    """A record that can still be changed: a merged-away one would vanish from view."""
    customer = customer_get(by=by, pk=pk)
    if customer.merged_into_id is not None:
        raise Conflict(
            _("This customer was merged into customer %(pk)s; change that one instead.")
            % {"pk": customer.merged_into_id}
        )
    return customer


@router.get("/customers", response={200: CustomerPage, **problems(400, 403)}, summary="Search")
def customers_search(
    request: HttpRequest, q: Text = "", cursor: Text | None = None, size: PageSize = PAGE_SIZE
) -> CustomerPage:
    """Customers whose name contains `q`, or whose email address or phone number starts with
    it; newest first, a key-set page at a time. Merged-away records are left out.
    """
    page = customer_search(by=caller(request), text=q, cursor=cursor, size=size)
    return CustomerPage(
        items=[customer_out(customer) for customer in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/customers", response={201: CustomerOut, **problems(400, 403, 409)}, summary="Add a customer"
)
def customers_create(request: HttpRequest, payload: CustomerIn) -> Respond[CustomerOut]:
    """An address that already belongs to another customer is refused (409): merge instead."""
    user = caller(request)
    identities = [IdentityInput(i.kind, i.value, i.network) for i in payload.identities]
    with fields_renamed({"value": "identities", "kind": "identities"}):
        customer = customer_create(
            by=user,
            name=payload.name,
            language=payload.language,
            identities=identities,
            is_vip=payload.is_vip,
        )
    return Respond(201, customer_out(customer_get(by=user, pk=customer.pk)))


@router.get(
    "/customers/{customer_id}",
    response={200: CustomerOut, **problems(400, 403, 404)},
    summary="A customer",
)
def customers_get(request: HttpRequest, customer_id: PathId) -> CustomerOut:
    """A merged-away id answers with the customer it was merged into (see merged_from)."""
    return customer_out(customer_survivor(by=caller(request), pk=customer_id))


@router.patch(
    "/customers/{customer_id}",
    response={200: CustomerOut, **problems(400, 403, 404, 409)},
    summary="Change a customer",
)
def customers_change(
    request: HttpRequest, customer_id: PathId, payload: CustomerChange
) -> CustomerOut:
    """Changes only the fields present in the body."""
    user = caller(request)
    customer = _live_customer(user, customer_id)
    payload.refuse_null("name", "language", "is_vip", "notes")
    customer_update(
        by=user,
        customer=customer,
        name=customer.name if payload.name is None else payload.name,
        language=payload.language or customer.language,
        is_vip=customer.is_vip if payload.is_vip is None else payload.is_vip,
        notes=customer.notes if payload.notes is None else payload.notes,
    )
    return customer_out(customer_get(by=user, pk=customer.pk))


@router.post(
    "/customers/{customer_id}/identities",
    response={201: IdentityOut, **problems(400, 403, 404, 409)},
    summary="Add an address",
)
def customers_identity_add(
    request: HttpRequest, customer_id: PathId, payload: IdentityIn
) -> Respond[IdentityOut]:
    """An email address, phone number, chat id or social handle; one already owned by another
    customer is refused (409): merge the two customers instead.
    """
    user = caller(request)
    customer = _live_customer(user, customer_id)
    identity = identity_add(
        by=user,
        customer=customer,
        identity=IdentityInput(payload.kind, payload.value, payload.network),
    )
    return Respond(201, identity_out(identity))


@router.post(
    "/customers/{customer_id}/merge",
    response={200: CustomerOut, **problems(400, 403, 404, 409)},
    summary="Merge another customer into this one",
)
def customers_merge(request: HttpRequest, customer_id: PathId, payload: MergeIn) -> CustomerOut:
    """Every ticket, message and address of `source_id` moves to this customer, which stays.
    Needs the permission to merge customers (supervisors and above).
    """
    user = caller(request)
    target = _live_customer(user, customer_id)
    try:
        source = customer_get(by=user, pk=payload.source_id)
    except NotFound as error:
        raise InvalidInput(error.message, field="source_id") from None
    customer_merge(by=user, source=source, target=target)
    return customer_out(customer_get(by=user, pk=target.pk))


@router.get(
    "/customers/{customer_id}/tickets",
    response={200: TicketPage, **problems(400, 403, 404)},
    summary="A customer's tickets",
)
def customers_tickets(
    request: HttpRequest,
    customer_id: PathId,
    cursor: Text | None = None,
    size: PageSize = PAGE_SIZE,
) -> TicketPage:
    """Only the tickets the caller may see, most recently changed first."""
    user = caller(request)
    customer = customer_survivor(by=user, pk=customer_id)
    page = customer_tickets_page(user, customer.pk, cursor=cursor, size=size)
    return TicketPage(
        items=[ticket_summary(ticket) for ticket in page.items], next_cursor=page.next_cursor
    )
