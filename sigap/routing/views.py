"""Routing pages: an agent sets their presence, everyone sees their teams' queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sigap.accounts.models import Team
from sigap.core.errors import DomainError, InvalidInput
from sigap.routing.selectors import queue_page, team_agents
from sigap.routing.services import presence_set
from sigap.tickets import access
from sigap.web.views.common import current_user


@login_required
@require_POST
def presence_post(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    try:
        presence_set(user=user, status=request.POST.get("status", ""), by=user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(target)


def _team_filter(request: HttpRequest) -> int | None:
    raw = request.GET.get("team") or ""
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInput(_("Choose a team from the list."), field="team")
    return int(raw)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    error = None
    page = None
    team_id = None
    try:
        team_id = _team_filter(request)
        page = queue_page(user, team_id=team_id, cursor=request.GET.get("cursor") or None)
    except InvalidInput as refusal:
        error = refusal.message
    teams = Team.objects.all() if access.has_wide_access(user) else user.teams.all()
    agents = team_agents(user, team_id=team_id) if error is None else []
    context = {
        "page": page,
        "error": error,
        "teams": teams,
        "team_id": team_id,
        "agents": agents,
    }
    return render(request, "routing/queue.html", context, status=400 if error else 200)
