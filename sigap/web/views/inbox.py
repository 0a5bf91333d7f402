"""The inbox: the tickets an agent may see, filtered, searched and paged by key."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from sigap.accounts.models import User
from sigap.accounts.selectors import agents_list, teams_list
from sigap.core.errors import InvalidInput
from sigap.sla.selectors import inbox_badges
from sigap.sops.selectors import unread_versions
from sigap.tickets import access
from sigap.tickets.models import Channel, Priority, Status
from sigap.tickets.selectors import (
    STATUS_ACTIVE,
    STATUS_ANY,
    InboxQuery,
    categories_active,
    inbox_page,
    inbox_query_parse,
)
from sigap.web.views.common import current_user

TABS = [
    ("mine", _("Mine")),
    ("team", _("My team")),
    ("unassigned", _("Unassigned")),
    ("all", _("All")),
]
FILTERS = ("status", "channel", "priority", "team", "assignee", "category", "q")


def _link(params: dict[str, str], **changes: str) -> str:
    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v})


def _options(user: User) -> dict[str, Any]:
    teams = teams_list()
    # Only names are offered: the teams agents_list() fetches with them are not needed here.
    agents = agents_list().prefetch_related(None)
    if not access.has_wide_access(user):
        mine = set(access.team_ids(user))
        teams = [team for team in teams if team.pk in mine]
        agents = agents.filter(teams__in=mine).distinct()
    return {
        "status_options": [(STATUS_ACTIVE, _("Active")), (STATUS_ANY, _("Any")), *Status.choices],
        "channel_options": Channel.choices,
        "priority_options": Priority.choices,
        "team_options": [(str(team.pk), team.name) for team in teams],
        "assignee_options": [(str(agent.pk), agent.display_name) for agent in agents],
        "category_options": [(str(c.pk), c.name) for c in categories_active()],
    }


def _inbox(request: HttpRequest, *, full_page: bool) -> HttpResponse:
    """The inbox page, or (not `full_page`) just its list: the live refresh on every change
    of a ticket the agent may see, so it reads only the tickets, not the filter choices.
    """
    user = current_user(request)
    params: dict[str, str] = {k: v for k, v in request.GET.items() if isinstance(v, str) and v}
    error = None
    try:
        query = inbox_query_parse(params)
        page = inbox_page(user, query)
    except InvalidInput as refusal:
        error = refusal.message
        query = InboxQuery()
        page = None
    if page is not None:
        badges = inbox_badges([ticket.pk for ticket in page.items])
        for ticket in page.items:
            ticket.sla_badge = badges.get(ticket.pk, "")  # type: ignore[attr-defined]
    filters = {k: params[k] for k in FILTERS if k in params}
    if error is None:
        filters["view"] = query.view
    context: dict[str, Any] = {
        "page": page,
        "error": error,
        "next_link": _link(filters, cursor=page.next_cursor) if page and page.next_cursor else "",
        "list_url": reverse("inbox_list"),
        # Rows get a checkbox for the action bar only for those who may change tickets.
        "bulk": user.has_perm("tickets.change_ticket"),
    }
    if full_page:
        context |= {
            "query": query,
            "filters": filters,
            "tabs": [(name, label, _link(filters, view=name)) for name, label in TABS],
            "unread_sops": unread_versions(user),
            **_options(user),
        }
        return render(request, "web/inbox.html", context, status=400 if error else 200)
    response = render(request, "web/inbox/_list.html", context, status=400 if error else 200)
    if request.headers.get("HX-Request"):
        # The address bar follows the filters, so a reload or a shared link shows the same list.
        list_query = urlencode(params)
        response["HX-Replace-Url"] = reverse("inbox") + (f"?{list_query}" if list_query else "")
    return response


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return _inbox(request, full_page=True)


@login_required
@require_GET
def inbox_list(request: HttpRequest) -> HttpResponse:
    """Just the list, for htmx: filter changes and live refreshes."""
    return _inbox(request, full_page=False)
