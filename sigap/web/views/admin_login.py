"""The admin site's sign-in, under the same attempt limits as the desk's own sign-in page.

Without this, /admin/login/ would take unlimited password guesses for any account.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from sigap.accounts.throttle import login_failure_record, login_retry_after, login_success_record
from sigap.web.views.auth import _wait_message, client_address


@never_cache
@csrf_protect
def admin_login(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return admin.site.login(request)
    username = request.POST.get("username", "")
    address = client_address(request)
    wait = login_retry_after(username=username, address=address)
    if wait is not None:
        response = HttpResponse(
            _wait_message(wait), status=429, content_type="text/plain; charset=utf-8"
        )
        response["Retry-After"] = str(wait)
        return response
    response = admin.site.login(request)
    if request.user.is_authenticated:
        login_success_record(username=username)
    elif username and request.POST.get("password"):
        login_failure_record(username=username, address=address)
    return response
