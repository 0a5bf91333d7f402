"""SOP pages: every SOP, one SOP's document and how its steps fare, and what changed."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sigap.core import clock
from sigap.core.errors import DomainError
from sigap.sops.display import reader_language
from sigap.sops.models import LIVE_STATUSES, Sop, SopVersion
from sigap.sops.selectors import (
    ExceptionCount,
    acknowledgements_of,
    exceptions_per_step,
    sop_summaries,
    step_health,
    version_diff,
    version_title,
)
from sigap.sops.services import sop_acknowledge, version_document
from sigap.web.views.common import current_user


@login_required
@require_GET
def sop_list(request: HttpRequest) -> HttpResponse:
    current_user(request)
    return render(request, "web/sops.html", {"summaries": sop_summaries()})


def _sop(key: str) -> Sop:
    sop = Sop.objects.filter(key=key).first()
    if sop is None:
        raise Http404(key)
    return sop


def _version(sop: Sop, number: str | None) -> SopVersion:
    versions = sop.versions.order_by("-number")
    if number is None:
        found = versions.filter(status__in=LIVE_STATUSES).first() or versions.first()
    elif number.isdigit() and len(number) < 10:
        found = versions.filter(number=int(number)).first()
    else:
        found = None
    if found is None:
        raise Http404(number)
    return found


EXCEPTION_WINDOW_DAYS = 90


def _recent_exceptions(version: SopVersion) -> list[tuple[str, ExceptionCount]]:
    """Exceptions on this version's steps in the last 90 days, most first, with step titles."""
    since = clock.now() - timedelta(days=EXCEPTION_WINDOW_DAYS)
    language = reader_language()
    titles = {step.id: step.title.get(language) for step in version_document(version).steps}
    return [
        (
            titles.get(count.step_id, count.step_id)
            if count.step_id
            else _("The ticket as a whole"),
            count,
        )
        for count in exceptions_per_step(version=version, since=since)
    ]


@login_required
@require_GET
def sop_detail(request: HttpRequest, key: str) -> HttpResponse:
    current_user(request)
    sop = _sop(key)
    version = _version(sop, request.GET.get("version"))
    health = step_health(version)
    readers = acknowledgements_of(version)
    acknowledged = any(ack.user_id == request.user.pk for ack in readers)
    context = {
        "readers": readers,
        "acknowledged": acknowledged,
        "can_acknowledge": version.status in LIVE_STATUSES and not acknowledged,
        "sop": sop,
        "version": version,
        "title": version_title(version),
        "versions": list(sop.versions.defer("document", "source").order_by("-number")),
        "health": health,
        "most_ended": max((h.ended for h in health), default=0),
        "exceptions": _recent_exceptions(version),
        "exception_window_days": EXCEPTION_WINDOW_DAYS,
    }
    return render(request, "web/sop.html", context)


@login_required
@require_GET
def sop_diff(request: HttpRequest, key: str) -> HttpResponse:
    current_user(request)
    sop = _sop(key)
    older = _version(sop, request.GET.get("from"))
    newer = _version(sop, request.GET.get("to"))
    context = {
        "sop": sop,
        "older": older,
        "newer": newer,
        "title": version_title(newer),
        "lines": version_diff(older, newer),
    }
    return render(request, "web/sop_diff.html", context)


@login_required
@require_POST
def acknowledge(request: HttpRequest, key: str) -> HttpResponse:
    user = current_user(request)
    version = _version(_sop(key), request.POST.get("version"))
    try:
        sop_acknowledge(version=version, by=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: your reading of this version is recorded."))
    return redirect(reverse("sop", args=[key]) + f"?version={version.number}")
