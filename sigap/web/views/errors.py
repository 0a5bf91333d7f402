"""Error pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.template import loader
from django.urls import Resolver404


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Our own 404s carry a plain message worth showing; an unknown address says only that.

    A Resolver404's text lists the URL patterns that were tried; that is not for visitors.
    """
    message = ""
    if isinstance(exception, Http404) and not isinstance(exception, Resolver404):
        message = str(exception)
    body = loader.render_to_string("404.html", {"message": message}, request)
    return HttpResponseNotFound(body)
