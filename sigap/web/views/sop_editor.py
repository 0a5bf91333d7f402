"""Writing an SOP in the browser: the YAML in an editor, checked line by line as it is typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sigap.accounts.models import User
from sigap.sops.display import DocumentCheck, DocumentProblem, document_check
from sigap.sops.models import Sop, SopVersion, VersionStatus
from sigap.sops.selectors import version_title
from sigap.sops.services import sop_draft_save
from sigap.web.forms.sop import MAX_DOCUMENT_CHARS, SopEditorForm, editor_text
from sigap.web.views.common import current_user, submitted

STARTER = Path(__file__).resolve().parents[2] / "sops" / "templates" / "sops" / "new-sop.yaml"


def _author(request: HttpRequest) -> User:
    """The signed-in user, if they may write SOPs (as sop_import requires); otherwise 403."""
    user = current_user(request)
    if not user.has_perm("sops.publish_sop"):
        raise PermissionDenied
    return user


def _editor(
    request: HttpRequest, user: User, *, sop: Sop | None, latest: SopVersion | None
) -> HttpResponse:
    """The editor page; a save goes through sop_draft_save, a refusal keeps the text as sent."""
    status = 200
    if request.method == "POST":
        form = SopEditorForm(request.POST)
        saved: list[SopVersion] = []

        def save(data: dict[str, Any]) -> str:
            version = sop_draft_save(
                text=data["document"], by=user, key=sop.key if sop is not None else None
            )
            saved.append(version)
            return _("Draft v%(number)s is saved. Tickets use it only once it is published.") % {
                "number": version.number
            }

        result = submitted(request, form, save)
        if result is None:
            version = saved[0]
            return redirect(reverse("sop", args=[version.sop.key]) + f"?version={version.number}")
        status = result
        check = form.check or document_check(editor_text(form.data.get("document", "")))
    else:
        text = latest.source if latest is not None else STARTER.read_text(encoding="utf-8")
        form = SopEditorForm(initial={"document": text})
        check = document_check(text)
    context = {
        "form": form,
        "check": check,
        "sop": sop,
        "latest": latest,
        "title": version_title(latest) if latest is not None else None,
        "replaces_draft": latest is not None and latest.status == VersionStatus.DRAFT,
    }
    return render(request, "web/sop_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def sop_new(request: HttpRequest) -> HttpResponse:
    user = _author(request)
    return _editor(request, user, sop=None, latest=None)


@login_required
@require_http_methods(["GET", "POST"])
def sop_edit(request: HttpRequest, key: str) -> HttpResponse:
    """Edit the latest version's YAML; saving makes (or replaces) the draft, never a published
    version."""
    user = _author(request)
    sop = get_object_or_404(Sop, key=key)
    return _editor(request, user, sop=sop, latest=sop.versions.order_by("-number").first())


@login_required
@require_POST
def sop_check(request: HttpRequest) -> HttpResponse:
    """The editor's live check: the problems by line, or what the document amounts to."""
    current_user(request)
    text = editor_text(request.POST.get("document", ""))
    if len(text) > MAX_DOCUMENT_CHARS:
        message = _("The document is longer than %(limit)s characters.") % {
            "limit": MAX_DOCUMENT_CHARS
        }
        check = DocumentCheck(
            problems=[DocumentProblem(line=None, field="", where="", message=message)],
            summary=None,
        )
    else:
        check = document_check(text)
    return render(request, "web/sop/_check.html", {"check": check})
