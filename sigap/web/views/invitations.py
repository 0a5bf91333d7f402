"""Inviting people to the desk, and the page where an invited person makes their account."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sigap.accounts.models import Role
from sigap.accounts.selectors import invitations_open
from sigap.accounts.services import (
    InvitationUnusable,
    invitation_accept,
    invitation_create,
    invitation_for_token,
)
from sigap.core.errors import DomainError, NotFound
from sigap.web.forms.accounts import InvitationAcceptForm, InvitationForm
from sigap.web.views.auth import link_base
from sigap.web.views.common import current_user, form_error, submitted


@login_required
@permission_required("accounts.add_user", raise_exception=True)
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":

        def invite(data: dict[str, Any]) -> str:
            invitation = invitation_create(
                email=data["email"],
                role=Role(data["role"]),
                teams=list(data["teams"]),
                by=user,
                link_base=link_base(request),
            )
            return _("An invitation is on its way to %(email)s.") % {"email": invitation.email}

        refused = submitted(request, form, invite)
        if refused is None:
            return redirect("invitations")
        status = refused
    context = {"form": form, "invitations": invitations_open()}
    return render(request, "web/invitations.html", context, status=status)


def _unusable(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(
        request,
        "web/invitation_unusable.html",
        {"message": error.message},
        status=error.status_code,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_for_token(token)
    except (NotFound, InvitationUnusable) as error:
        return _unusable(request, error)
    initial = {"username": invitation.email.split("@")[0]}
    if request.method != "POST":
        form = InvitationAcceptForm(initial=initial)
        return render(
            request, "web/invitation_accept.html", {"form": form, "invitation": invitation}
        )
    form = InvitationAcceptForm(request.POST, initial=initial)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = invitation_accept(
                token=token,
                username=data["username"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except (NotFound, InvitationUnusable) as error:
            return _unusable(request, error)
        except DomainError as error:
            if error.field == "password":
                error.field = "password1"
            status = form_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome to the desk, %(name)s.") % {"name": user.display_name}
            )
            return redirect("inbox")
    context = {"form": form, "invitation": invitation}
    return render(request, "web/invitation_accept.html", context, status=status)
