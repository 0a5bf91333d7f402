"""The REST API at /api/: wiring of auth, errors, docs and the resource routers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from sigap.api import (
    attachments,
    bulk,
    customers,
    errors,
    feedback,
    metrics,
    people,
    rate_limits,
    sla,
    sops,
    tickets,
)
from sigap.api.auth import BearerToken
from sigap.api.docs import LocalSwagger, asset_patterns
from sigap.audit import api as audit
from sigap.routing import api as routing

DESCRIPTION = """\
The desk's API: the same rules and the same timeline as the web pages.

**Sign in** with `Authorization: Bearer <token>`; create a token with
`sigap token create --user NAME`. Session cookies are not accepted, so no CSRF token is needed.

**Errors** are problem documents (RFC 9457, `application/problem+json`):
`type` (`urn:sigap:problem:<code>`), `title`, `status`, `detail` in plain words,
`field` (the input at fault, or null) and `errors` (one entry per invalid input).
A ticket of another team is answered 404, exactly like one that does not exist.

**Lists** are paged by key-set, never by offset: pass `next_cursor` back as `cursor`.
"""

View = Callable[..., HttpResponse]


def _problem_on_405(view: View) -> View:
    """ninja answers a wrong method with a bare text 405; give clients a problem body too."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = sorted(method.strip() for method in response["Allow"].split(","))
            return errors.method_not_allowed(", ".join(allowed))
        return response

    return wrapped


def _nowhere_with_nul(view: View) -> View:
    """No resource's id or key holds a NUL character, and PostgreSQL refuses one in a query:
    an address with %00 in it is answered like any other address with nothing there.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "\x00" in request.path:
            return errors.nowhere(request)
        return view(request, *args, **kwargs)

    return wrapped


def _document_invalid_input(operation: dict[str, Any]) -> None:
    """Anything that reads a path, query or body can be sent a value it refuses: a 400 problem.

    Endpoints list the errors their services raise; the 400 for malformed input comes from the
    framework for every endpoint alike, so it is declared here once instead of on each of them.
    """
    responses = operation.setdefault("responses", {})
    takes_input = bool(operation.get("parameters")) or "requestBody" in operation
    if not takes_input or 400 in responses:
        return
    responses[400] = {
        "description": "Bad Request",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


class SigapAPI(NinjaAPI):
    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _problem_on_405(_nowhere_with_nul(pattern.callback))
        # Last: any other address under /api/ is a problem 404, not the site's HTML page.
        extra: list[URLResolver | URLPattern] = [*asset_patterns(), re_path(r"", errors.nowhere)]
        return [*patterns, *extra], app_name, namespace

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # Error bodies are sent as application/problem+json; say so, so clients can rely on it.
        for operations in schema["paths"].values():
            for operation in operations.values():
                _document_invalid_input(operation)
                rate_limits.document(operation)
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {errors.CONTENT_TYPE: content["application/json"]}
        return schema


api = SigapAPI(
    title="Sigap API",
    version="1",
    description=DESCRIPTION,
    auth=BearerToken(),
    throttle=[rate_limits.PerUserRate()],
    docs=LocalSwagger(),
)
errors.install(api)
rate_limits.install(api)
api.add_router("", people.router)
# Before tickets: /tickets/bulk must not be read as /tickets/{ticket_id}.
api.add_router("", bulk.router)
api.add_router("", tickets.router)
api.add_router("", customers.router)
api.add_router("", sops.router)
api.add_router("", sla.router)
api.add_router("", metrics.router)
api.add_router("", feedback.router)
api.add_router("", routing.router)
api.add_router("", attachments.router)
api.add_router("", audit.router)
