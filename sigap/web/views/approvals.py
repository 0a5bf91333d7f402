"""The approvals queue: requests above an agent's authority, with their context."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sigap.sops.selectors import approval_queue
from sigap.web.views.common import current_user


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(request, "web/approvals.html", {"waiting": approval_queue(user)})
