"""Signing in (with throttling) and out; forgotten and changed passwords."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.contrib.auth.views import (
    LoginView,
    LogoutView,
    PasswordChangeView,
    PasswordResetConfirmView,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from sigap.accounts.services import password_reset_link_hours, password_reset_request
from sigap.accounts.throttle import (
    login_failure_record,
    login_retry_after,
    login_success_record,
    password_reset_request_record,
    password_reset_retry_after,
)
from sigap.web.forms.accounts import PasswordResetRequestForm


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded-for header is written by the client and would let anyone
    # pick a fresh address for every guess. A proxy in front sets REMOTE_ADDR itself.
    return str(request.META.get("REMOTE_ADDR", ""))


def _wait_message(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    # Same words whether or not the account exists, so the refusal reveals nothing.
    return ngettext(
        "Too many sign-in attempts. Try again in %(minutes)d minute.",
        "Too many sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class SignInForm(AuthenticationForm):
    # Django's own wording puts the field name in a sentence that, in Indonesian, already names
    # it ("Masukkan nama pengguna nama pengguna …"): the desk says it whole.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy(
            "Please enter a correct username and password. Both are case-sensitive."
        ),
    }


class SignInView(LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True
    form_class = SignInForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = login_retry_after(
            username=request.POST.get("username", ""), address=client_address(request)
        )
        if wait is None:
            return super().post(request, *args, **kwargs)
        # Unbound: a bound form would check the password while rendering its errors.
        form = self.get_form_class()(
            request, initial={"username": request.POST.get("username", "")}
        )
        context = self.get_context_data(form=form, throttled_message=_wait_message(wait))
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(wait)
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username = self.request.POST.get("username", "")
        if username and self.request.POST.get("password"):
            login_failure_record(username=username, address=client_address(self.request))
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        login_success_record(username=form.get_user().get_username())
        login_success_record(username=self.request.POST.get("username", ""))
        return super().form_valid(form)


class SignOutView(LogoutView):
    """Sign out by POST only (a link could be followed by a prefetching browser)."""


def link_base(request: HttpRequest) -> str:
    """Scheme and host for links sent by mail: the configured public address, else this request's
    (get_host() refuses any host not in ALLOWED_HOSTS, so a forged Host header cannot redirect
    a reset link to another site).
    """
    return str(settings.PUBLIC_URL) or f"{request.scheme}://{request.get_host()}"


def _reset_wait_message(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many reset requests. Try again in %(minutes)d minute.",
        "Too many reset requests. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link by email. The answer is the same whether or not the address is known."""
    template = "web/password_reset.html"
    if request.method != "POST":
        return render(request, template, {"form": PasswordResetRequestForm()})
    address = client_address(request)
    wait = password_reset_retry_after(email=request.POST.get("email", ""), address=address)
    if wait is not None:
        form = PasswordResetRequestForm(initial={"email": request.POST.get("email", "")})
        context = {"form": form, "throttled_message": _reset_wait_message(wait)}
        response = render(request, template, context, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = PasswordResetRequestForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    email = form.cleaned_data["email"]
    password_reset_request_record(email=email, address=address)
    password_reset_request(email=email, link_base=link_base(request))
    return redirect("password_reset_sent")


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    context = {"hours": password_reset_link_hours()}
    return render(request, "web/password_reset_sent.html", context)


class ResetConfirmView(PasswordResetConfirmView):
    """Choose a new password from a mailed link. The link works once and expires.

    Django's token hashes the password and the last sign-in time, so it stops working the
    moment it is used; setting the password also ends every session of the account.
    """

    template_name = "web/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if not context.get("validlink"):
            kwargs.setdefault("status", 410)
        return super().render_to_response(context, **kwargs)

    def form_invalid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        response = super().form_valid(form)
        # Whoever holds the mailbox owns the account: let them sign in at once.
        login_success_record(username=form.user.get_username())
        return response


def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "web/password_reset_complete.html")


class PasswordChange(PasswordChangeView):
    """Change one's own password: this session stays signed in, every other one is ended.

    Django keeps a hash of the password in each session and signs out any session whose hash no
    longer matches; update_session_auth_hash (called by the parent) renews only this one.
    API tokens are not touched — see the note in sigap.accounts.services.
    """

    template_name = "web/password_change.html"
    success_url = reverse_lazy("inbox")

    def form_invalid(self, form: PasswordChangeForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password was changed. Every other place you were signed in is signed out."),
        )
        return response
