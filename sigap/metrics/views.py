"""The KPI dashboard and its drill-down, for supervisors and managers (agents get 403)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sigap.accounts.models import Team, User
from sigap.core import clock
from sigap.core.errors import InvalidInput, NotAllowed
from sigap.metrics.definitions import BY_KEY, KPIS
from sigap.metrics.drilldown import cohort_page
from sigap.metrics.formatting import figure
from sigap.metrics.kpis import kpis_compute
from sigap.metrics.periods import local_date, month_of
from sigap.metrics.slices import may_view_metrics, slice_for
from sigap.sops.models import Sop, SopVersion
from sigap.tickets import access
from sigap.tickets.models import Channel
from sigap.web.views.common import current_user

FILTERS = ("period", "team", "agent", "channel", "sop", "sop_version")


def _viewer(request: HttpRequest) -> User:
    user = current_user(request)
    if not may_view_metrics(user):
        raise PermissionDenied
    return user


def _filters(request: HttpRequest) -> dict[str, str]:
    chosen = {name: request.GET.get(name, "").strip() for name in FILTERS}
    chosen["period"] = chosen["period"] or month_of(local_date(clock.now())).key
    return chosen


def _choices(user: User) -> dict[str, Any]:
    teams = Team.objects.order_by("name")
    if not access.has_wide_access(user):
        teams = teams.filter(pk__in=access.team_ids(user))
    agents = User.objects.filter(is_active=True, teams__in=teams).distinct().order_by("username")
    return {
        "teams": list(teams),
        "agents": list(agents),
        "channels": Channel.choices,
        "sops": list(Sop.objects.order_by("key")),
        "versions": list(
            SopVersion.objects.filter(published_at__isnull=False)
            .select_related("sop")
            .order_by("sop__key", "number")
        ),
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    filters = _filters(request)
    context: dict[str, Any] = {"filters": filters, **_choices(user)}
    try:
        chosen = slice_for(user=user, **filters)
    except NotAllowed:
        raise PermissionDenied from None
    except InvalidInput as error:
        context["error"] = error.message
        return render(request, "metrics/dashboard.html", context, status=400)
    report = kpis_compute(chosen)
    query = {k: v for k, v in filters.items() if v}
    context |= {
        "report": report,
        "cards": [
            {
                "kpi": kpi,
                "shown": figure(kpi.key, report.values[kpi.key]),
                "has_value": report.values[kpi.key] is not None,
                "counted_over": report.bases[kpi.key],
                "tickets_link": "tickets/?"
                + urlencode({**query, "cohort": kpi.cohort, "kpi": kpi.key})
                if kpi.cohort
                else None,
            }
            for kpi in KPIS
        ],
        "channels_shown": [
            {**row, "shown": {k: figure(k, row.get(k)) for k in BY_KEY if k in row}}
            for row in report.by_channel
        ],
        "chart_labels": {
            "opened": _("Opened"),
            "resolved": _("Resolved"),
            "sla": _("Response-time compliance (%)"),
            "tickets": _("Tickets opened"),
            "late": _("Late"),
            "waived": _("Waived"),
            "special_policy": _("Special policy"),
            "no_sop": _("No SOP"),
        },
        "chart_data": {
            "trend": report.trend,
            "by_channel": report.by_channel,
            "by_sop": report.by_sop,
            "steps": report.steps,
        },
    }
    return render(request, "metrics/dashboard.html", context)


@login_required
@require_GET
def tickets(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    filters = _filters(request)
    cohort = request.GET.get("cohort", "")
    context: dict[str, Any] = {"filters": filters, "cohort": cohort}
    named = BY_KEY.get(request.GET.get("kpi", ""))
    context["kpi"] = named if named and named.cohort == cohort else None
    try:
        chosen = slice_for(user=user, **filters)
        page = cohort_page(chosen, cohort, cursor=request.GET.get("cursor") or None)
    except NotAllowed:
        raise PermissionDenied from None
    except InvalidInput as error:
        context["error"] = error.message
        return render(request, "metrics/tickets.html", context, status=400)
    query = {k: v for k, v in filters.items() if v}
    context["back_link"] = "?" + urlencode(query)
    context["page"] = page
    if page.next_cursor:
        more = {**query, "cohort": cohort, "cursor": page.next_cursor}
        if context["kpi"] is not None:
            more["kpi"] = context["kpi"].key
        context["next_link"] = "?" + urlencode(more)
    return render(request, "metrics/tickets.html", context)
