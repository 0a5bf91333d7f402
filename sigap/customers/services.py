"""Writes for customers and their identities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core import clock
from sigap.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from sigap.core.rows import insert_one, select_by_pk, select_where
from sigap.customers.identities import normalise_identity
from sigap.customers.models import Customer, CustomerIdentity, IdentityKind

_IDENTITY_IS = '"kind" = %s AND "network" = %s AND "value" = %s'


@dataclass(frozen=True)
class IdentityInput:
    kind: str
    value: str
    network: str = ""


class Contact(NamedTuple):
    """Who a message is from: the customer, the address it came from, and whether both were
    added for this message (a first contact: the customer has no earlier tickets)."""

    customer: Customer
    identity: CustomerIdentity
    is_new: bool


def _check_can_edit(by: User | None) -> None:
    if by is not None and not by.has_perm("customers.change_customer"):
        raise NotAllowed(_("You may not change customers."))


def customer_create(
    *,
    by: User | None,
    name: str,
    language: str = "id",
    identities: list[IdentityInput] | None = None,
    is_vip: bool = False,
) -> Customer:
    if by is not None and not by.has_perm("customers.add_customer"):
        raise NotAllowed(_("You may not add customers."))
    with transaction.atomic():
        customer = Customer.objects.create(name=name.strip(), language=language, is_vip=is_vip)
        for identity in identities or []:
            identity_add(by=None, customer=customer, identity=identity)
    return customer


def identity_add(
    *, by: User | None, customer: Customer, identity: IdentityInput
) -> CustomerIdentity:
    """Attach an address to a customer. An address already owned by someone else is refused."""
    _check_can_edit(by)
    if identity.kind not in IdentityKind.values:
        raise InvalidInput(_("Unknown identity kind %(kind)s.") % {"kind": identity.kind})
    value = normalise_identity(identity.kind, identity.value)
    network = identity.network.strip().lower()
    existing = (
        CustomerIdentity.objects.select_related("customer")
        .filter(kind=identity.kind, network=network, value=value)
        .first()
    )
    if existing is not None:
        if existing.customer_id == customer.pk:
            return existing
        raise Conflict(
            _("%(value)s already belongs to %(customer)s; merge the two customers instead.")
            % {"value": value, "customer": existing.customer.display_name},
            field="value",
        )
    return CustomerIdentity.objects.create(
        customer=customer, kind=identity.kind, network=network, value=value
    )


def customer_for_identity(
    *, identity: IdentityInput, name: str = "", language: str = "id"
) -> Contact:
    """The customer who owns this address, created on first contact (for intake)."""
    value = normalise_identity(identity.kind, identity.value)
    network = identity.network.strip().lower()
    # Every received message asks this: fixed statements rather than ORM queries, which cost
    # more to build than to answer.
    found = select_where(CustomerIdentity, _IDENTITY_IS, [identity.kind, network, value], limit=1)
    if found:
        customer = found[0].customer = select_by_pk(Customer, found[0].customer_id)
        while customer.merged_into_id is not None:
            customer = select_by_pk(Customer, customer.merged_into_id)
        return Contact(customer, found[0], is_new=False)
    # No savepoint inside a caller's transaction, as for ticket_open_with_message: the two
    # rows go or stay with the caller's.
    with transaction.atomic(savepoint=False):
        # Every new sender of mail or chat comes through here: the fast inserts (no signals
        # listen to either model) halve the cost of a first contact.
        customer = insert_one(Customer(name=name.strip(), language=language))
        created = insert_one(
            CustomerIdentity(customer=customer, kind=identity.kind, network=network, value=value)
        )
    return Contact(customer, created, is_new=True)


def customer_for_contact(
    *, by: User | None, name: str, addresses: dict[str, IdentityInput]
) -> Customer:
    """The customer a phone call or visit is from: found (or added) by the first address, with
    the other addresses added to them; with no address, a new customer by name.

    An address that belongs to someone else is refused with a suggestion to merge. A refused
    address is named by its key in `addresses` (the error's field), e.g. "email" or "phone".
    """
    customer: Customer | None = None
    for field, identity in addresses.items():
        try:
            if customer is None:
                customer = customer_for_identity(identity=identity, name=name).customer
            else:
                identity_add(by=by, customer=customer, identity=identity)
        except DomainError as error:
            if error.field == "value":
                error.field = field
            raise
    if customer is None:
        return customer_create(by=by, name=name)
    return customer


def customer_update(
    *, by: User, customer: Customer, name: str, language: str, is_vip: bool, notes: str
) -> Customer:
    _check_can_edit(by)
    customer.name = name.strip()
    customer.language = language
    customer.is_vip = is_vip
    customer.notes = notes
    customer.save(update_fields=["name", "language", "is_vip", "notes", "updated_at"])
    return customer


def customer_merge(*, by: User, source: Customer, target: Customer) -> Customer:
    """Fold `source` into `target`: every ticket, message and identity moves; nothing is lost.

    `source` is kept, marked as merged, so old links and references still lead somewhere.
    """
    from sigap.tickets.services import tickets_customer_merged

    if not by.has_perm("customers.merge_customers"):
        raise NotAllowed(_("You may not merge customers."))
    if source.pk == target.pk:
        raise InvalidInput(_("A customer cannot be merged into itself."))
    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Customer.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
        }
        source, target = locked[source.pk], locked[target.pk]
        if source.merged_into_id is not None or target.merged_into_id is not None:
            raise Conflict(_("One of these customers was already merged."))
        CustomerIdentity.objects.filter(customer=source).update(customer=target)
        tickets_customer_merged(by=by, source=source, target=target)
        target.name = target.name or source.name
        target.is_vip = target.is_vip or source.is_vip
        if source.notes:
            target.notes = "\n\n".join(n for n in (target.notes, source.notes) if n)
        target.save(update_fields=["name", "is_vip", "notes", "updated_at"])
        source.merged_into = target
        source.updated_at = clock.now()
        source.save(update_fields=["merged_into", "updated_at"])
    return target
