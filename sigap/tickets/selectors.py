"""Reads: the inbox, a ticket's timeline, a customer's tickets, the categories in use."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core.cursor import Page, paginate_asc, paginate_desc, paginate_desc_ranges
from sigap.core.errors import InvalidInput
from sigap.customers.models import CustomerIdentity, IdentityKind
from sigap.tickets import access
from sigap.tickets.models import (
    ACTIVE_STATUSES,
    Category,
    Channel,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)

VIEWS = ("mine", "team", "unassigned", "all")
STATUS_ACTIVE = "active"
STATUS_ANY = "any"
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
_REFERENCE = re.compile(r"^(?:sgp-?|#)?0*(\d{1,12})$", re.IGNORECASE)


@dataclass(frozen=True)
class InboxQuery:
    view: str = "all"
    status: str = STATUS_ACTIVE
    channel: str | None = None
    priority: str | None = None
    team: int | None = None
    assignee: int | None = None
    category: int | None = None
    q: str = ""
    cursor: str | None = None
    size: int = PAGE_SIZE


def _choice(params: Mapping[str, str], name: str, allowed: list[str]) -> str | None:
    value = params.get(name) or None
    if value is not None and value not in allowed:
        raise InvalidInput(
            _("%(value)s is not a valid %(name)s; choose one of: %(choices)s.")
            % {"value": value, "name": name, "choices": ", ".join(allowed)},
            field=name,
        )
    return value


def _number(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name) or None
    if value is None:
        return None
    # isdigit() alone lets through "²" and other digits int() cannot read.
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise InvalidInput(
            _("%(name)s must be a number, not %(value)s.") % {"name": name, "value": value},
            field=name,
        )
    return int(value)


def inbox_query_parse(params: Mapping[str, str]) -> InboxQuery:
    """Read inbox filters from query parameters, refusing anything unknown with a reason."""
    view = _choice(params, "view", list(VIEWS)) or "all"
    status = _choice(params, "status", [STATUS_ACTIVE, STATUS_ANY, *Status.values]) or STATUS_ACTIVE
    size = _number(params, "size") or PAGE_SIZE
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            _("size must be between 1 and %(max)s.") % {"max": MAX_PAGE_SIZE}, field="size"
        )
    q = (params.get("q") or "").strip()
    if len(q) > 200:
        raise InvalidInput(_("The search text is too long."), field="q")
    return InboxQuery(
        view=view,
        status=status,
        channel=_choice(params, "channel", list(Channel.values)),
        priority=_choice(params, "priority", list(Priority.values)),
        team=_number(params, "team"),
        assignee=_number(params, "assignee"),
        category=_number(params, "category"),
        q=q,
        cursor=params.get("cursor") or None,
        size=size,
    )


def ticket_id_from_reference(text: str) -> int | None:
    """The id in "SGP-000042", "sgp42", "#42" or "42"; None when it is not a reference."""
    found = _REFERENCE.match(text.strip())
    pk = int(found.group(1)) if found else 0
    return pk or None


def _email_prefix(prefix: str) -> QuerySet[CustomerIdentity]:
    emails = CustomerIdentity.objects.filter(kind=IdentityKind.EMAIL, network="")
    if connection.vendor == "sqlite":
        # SQLite's LIKE ignores case and so skips the index; addresses are stored lower-cased,
        # so a plain range on the (kind, network, value) unique index is the exact same test.
        return emails.filter(value__gte=prefix, value__lt=prefix + "\U0010ffff")
    return emails.filter(value__startswith=prefix)


def _search(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    reference = _REFERENCE.match(text)
    if reference:
        return tickets.filter(pk=int(reference.group(1)))
    if "@" in text:
        customers = _email_prefix(text.lower()).values("customer_id")
        return tickets.filter(customer_id__in=customers)
    return tickets.filter(Q(subject__icontains=text) | Q(customer__name__icontains=text))


def _active(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    if connection.vendor == "sqlite":
        # Literals, so SQLite can use the partial index ticket_active_updated_idx.
        return tickets.filter(status__in_constants=[str(s) for s in ACTIVE_STATUSES])
    return tickets.filter(status__in=ACTIVE_STATUSES)


def _filtered(tickets: QuerySet[Ticket], user: User, query: InboxQuery) -> QuerySet[Ticket]:
    if query.view == "mine":
        tickets = tickets.filter(assignee_id=user.pk)
    elif query.view == "team":
        tickets = tickets.filter(team_id__in=access.team_ids(user))
    elif query.view == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    if query.status == STATUS_ACTIVE:
        tickets = _active(tickets)
    elif query.status != STATUS_ANY:
        tickets = tickets.filter(status=query.status)
    if query.channel:
        tickets = tickets.filter(channel=query.channel)
    if query.priority:
        tickets = tickets.filter(priority=query.priority)
    if query.team is not None:
        tickets = tickets.filter(team_id=query.team)
    if query.assignee is not None:
        tickets = tickets.filter(assignee_id=query.assignee)
    if query.category is not None:
        tickets = tickets.filter(category_id=query.category)
    if query.q:
        tickets = _search(tickets, query.q)
    return tickets


def inbox_page(user: User, query: InboxQuery) -> Page[Ticket]:
    shown = Ticket.objects.select_related("customer", "team", "assignee", "category")
    if not access.may_view_tickets(user):
        return Page(items=[], next_cursor=None)
    condition = access.visibility_filter(user)
    if condition is None or connection.vendor != "sqlite":
        # PostgreSQL plans `team IN (…) OR assignee = me` well: 8-15 ms a page at a million
        # tickets (bench/inbox.py); a union of ranges would make it walk every ticket instead.
        tickets = _filtered(shown if condition is None else shown.filter(condition), user, query)
        return paginate_desc(tickets, field="updated_at", cursor=query.cursor, size=query.size)
    # SQLite reads both sides of that OR in full and sorts them (250 ms on a deep page): give it
    # one key-set range per team and one for the agent's own tickets, each a page at most.
    filtered = _filtered(Ticket.objects.all(), user, query)
    ranges = [filtered.filter(team_id=team) for team in access.team_ids(user)]
    ranges.append(filtered.filter(assignee_id=user.pk))
    return paginate_desc_ranges(
        ranges, base=shown, field="updated_at", cursor=query.cursor, size=query.size
    )


def ticket_timeline(ticket: Ticket) -> QuerySet[TicketEvent]:
    return (
        TicketEvent.objects.filter(ticket=ticket)
        .select_related("actor_user", "actor_customer", "message", "message__author_user")
        .order_by("created_at", "pk")
    )


def customer_tickets(user: User, customer_id: int, *, limit: int = 20) -> list[Ticket]:
    return list(
        access.visible_tickets(user)
        .filter(customer_id=customer_id)
        .select_related("team", "assignee")
        .order_by("-updated_at", "-pk")[:limit]
    )


def ticket_timeline_page(ticket: Ticket, *, cursor: str | None, size: int) -> Page[TicketEvent]:
    """The timeline oldest first, one key-set page at a time (a chat can run to thousands)."""
    events = ticket_timeline(ticket).select_related("message__author_customer")
    return paginate_asc(events, field="created_at", cursor=cursor, size=size)


def customer_tickets_page(
    user: User, customer_id: int, *, cursor: str | None, size: int
) -> Page[Ticket]:
    """A customer's tickets that `user` may see, most recently changed first."""
    tickets = (
        access.visible_tickets(user)
        .filter(customer_id=customer_id)
        .select_related("customer", "team", "assignee", "category")
    )
    return paginate_desc(tickets, field="updated_at", cursor=cursor, size=size)


def categories_active() -> list[Category]:
    return list(Category.objects.filter(is_active=True).order_by("name"))
