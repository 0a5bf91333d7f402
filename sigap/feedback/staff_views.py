"""Staff pages: my follow-up and recovery tasks, and the searchable survey comments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sigap.core import clock
from sigap.core.errors import DomainError
from sigap.feedback.acting import recovery_task_done
from sigap.feedback.followups import follow_up_record
from sigap.feedback.models import FollowUpResult, SurveyKind
from sigap.feedback.selectors import follow_ups_of, recovery_tasks_of, survey_comments
from sigap.web.views.common import current_user


@login_required
@require_GET
def follow_up_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        page = follow_ups_of(user, cursor=request.GET.get("cursor") or None)
    except DomainError as error:
        return render(
            request, "feedback/follow_ups.html", {"error": error.message, "page": None}, status=400
        )
    return render(
        request,
        "feedback/follow_ups.html",
        {
            "page": page,
            "recovery": recovery_tasks_of(user),
            "results": FollowUpResult.choices,
            "now": clock.now(),
        },
    )


@login_required
@require_POST
def follow_up_record_post(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    user = current_user(request)
    try:
        follow_up_record(
            follow_up_id=follow_up_id,
            by=user,
            result=request.POST.get("result", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("follow_ups")
    messages.success(request, _("Follow-up recorded."))
    return redirect("follow_ups")


@login_required
@require_POST
def recovery_done_post(request: HttpRequest, task_id: int) -> HttpResponse:
    user = current_user(request)
    try:
        recovery_task_done(task_id=task_id, by=user, note=request.POST.get("note", ""))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("follow_ups")
    messages.success(request, _("Recovery task done."))
    return redirect("follow_ups")


@login_required
@require_GET
def comment_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    text = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    kind = kind if kind in SurveyKind.values else ""
    low_only = request.GET.get("low") == "1"
    context = {
        "q": text,
        "kind": kind,
        "low_only": low_only,
        "kinds": SurveyKind.choices,
        "error": "",
        "page": None,
    }
    try:
        context["page"] = survey_comments(
            user,
            text=text,
            kind=kind,
            low_only=low_only,
            cursor=request.GET.get("cursor") or None,
        )
    except DomainError as error:
        context["error"] = error.message
        return render(request, "feedback/comments.html", context, status=400)
    query = request.GET.copy()
    query.pop("cursor", None)
    context["next_query"] = query.urlencode()
    return render(request, "feedback/comments.html", context)
