"""Signing in (with throttling) and out."""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

from sigap.accounts.throttle import (
    login_failure_record,
    login_retry_after,
    login_success_record,
)


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


class SignInView(LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

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
