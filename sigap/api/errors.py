"""Every API error is an RFC 9457 problem body, so clients handle one shape and never HTML.

{"type": "urn:sigap:problem:<code>", "title": …, "status": …, "detail": plain words,
 "field": the input at fault or null, "errors": one entry per invalid input}
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

from sigap.core.errors import DomainError
from sigap.core.fields import field_path

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"

_TITLES = {
    400: gettext_lazy("Invalid input"),
    401: gettext_lazy("Not signed in"),
    403: gettext_lazy("Not allowed"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Method not allowed"),
    409: gettext_lazy("Conflict"),
    413: gettext_lazy("Request too large"),
    500: gettext_lazy("Server error"),
}


class FieldProblem(Schema):
    field: str | None = Field(description="The input at fault; null for the whole body.")
    detail: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    errors: list[FieldProblem] = []


def problems(*statuses: int) -> dict[int, type[Problem]]:
    """Response declarations for the errors an endpoint can answer with, for the OpenAPI."""
    return {status: Problem for status in (401, *statuses)}


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    field: str | None = None,
    errors: Sequence[FieldProblem] = (),
) -> HttpResponse:
    problem = Problem(
        type=f"urn:sigap:problem:{code}",
        title=str(_TITLES.get(status, _("Error"))),
        status=status,
        detail=detail,
        field=field,
        errors=list(errors),
    )
    return HttpResponse(json.dumps(problem.model_dump()), status=status, content_type=CONTENT_TYPE)


@contextmanager
def fields_renamed(names: Mapping[str, str]) -> Iterator[None]:
    """Report a service's field under the name the API client sent (`team` → `team_id`)."""
    try:
        yield
    except DomainError as error:
        if error.field is not None and error.field in names:
            error.field = names[error.field]
        raise


# What pydantic says in English, said in words we can translate. Unlisted kinds keep its text.
_REASONS: dict[str, Any] = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("This field is not expected here."),
    "int_parsing": gettext_lazy("Must be a whole number."),
    "int_type": gettext_lazy("Must be a whole number."),
    "int_from_float": gettext_lazy("Must be a whole number."),
    "string_type": gettext_lazy("Must be text."),
    "bool_parsing": gettext_lazy("Must be true or false."),
    "bool_type": gettext_lazy("Must be true or false."),
    "list_type": gettext_lazy("Must be a list."),
    "model_type": gettext_lazy("Must be a JSON object."),
    "model_attributes_type": gettext_lazy("Must be a JSON object."),
    "dict_type": gettext_lazy("Must be a JSON object."),
    "enum": gettext_lazy("Choose one of: %(choices)s."),
    "literal_error": gettext_lazy("Choose one of: %(choices)s."),
    "string_too_long": gettext_lazy("Must be at most %(max_length)s characters."),
    "string_too_short": gettext_lazy("Must be at least %(min_length)s characters."),
    "greater_than_equal": gettext_lazy("Must be at least %(ge)s."),
    "less_than_equal": gettext_lazy("Must be at most %(le)s."),
    "greater_than": gettext_lazy("Must be more than %(gt)s."),
    "less_than": gettext_lazy("Must be less than %(lt)s."),
}


def _field_name(location: Sequence[Any]) -> str | None:
    """`customer.phone`, `identities[0].value`; None when the whole body is at fault."""
    # ninja puts the source first ("body", "query", "path") and, for a body, the parameter name.
    source, *parts = location
    if source == "body":
        parts = parts[1:]
        if not parts:
            return None
    return field_path(parts) or str(source)


def _reason(error: Mapping[str, Any]) -> str:
    context = dict(error.get("ctx") or {})
    if error["type"] == "value_error" and "error" in context:
        return str(context["error"])
    if "expected" in context:
        # pydantic says "'low', 'normal' or 'high'" in English; keep only the values.
        context["choices"] = ", ".join(re.findall(r"'([^']*)'", str(context["expected"])))
    reason = _REASONS.get(error["type"])
    if reason is None:
        return str(error.get("msg", ""))
    try:
        return str(reason) % context
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", ""))


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    found = []
    for error in exc.errors:
        field = _field_name(error["loc"])
        if field is None:
            reason = (
                _("Send a JSON object as the request body.")
                if error["type"] == "missing"
                else _("The request body must be a JSON object.")
            )
        else:
            reason = _reason(error)
        found.append(FieldProblem(field=field, detail=reason))
    detail = " ".join(
        f"{problem.field}: {problem.detail}" if problem.field else problem.detail
        for problem in found
    )
    return problem_response(
        400,
        "invalid_input",
        detail,
        field=found[0].field if found else None,
        errors=found,
    )


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    errors = [FieldProblem(field=exc.field, detail=exc.message)] if exc.field else []
    return problem_response(exc.status_code, exc.code, exc.message, field=exc.field, errors=errors)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        response = problem_response(
            401,
            "unauthenticated",
            _("Send a valid API token in the header Authorization: Bearer <token>."),
        )
        response["WWW-Authenticate"] = "Bearer"
        return response
    cause = exc.__cause__
    if isinstance(cause, json.JSONDecodeError):
        return problem_response(
            400,
            "malformed_json",
            _("The request body is not valid JSON (line %(line)s, column %(column)s).")
            % {"line": cause.lineno, "column": cause.colno},
        )
    if isinstance(cause, UnicodeDecodeError):
        return problem_response(
            400, "malformed_json", _("The request body is not valid UTF-8 text.")
        )
    if isinstance(cause, RecursionError):
        return problem_response(400, "malformed_json", _("The request body is nested too deeply."))
    return problem_response(exc.status_code, "http_error", str(exc))


def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(
        413,
        "too_large",
        _("The request body is larger than %(max)s bytes.")
        % {"max": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
    )


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(404, "not_found", _("There is nothing at this address."))


def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(403, "forbidden", _("You may not do this."))


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API request %s %s failed", request.method, request.path, exc_info=exc)
    return problem_response(
        500, "server_error", _("Something went wrong on our side; the error has been logged.")
    )


def method_not_allowed(allowed: str) -> HttpResponse:
    response = problem_response(
        405,
        "method_not_allowed",
        _("This address accepts only %(methods)s.") % {"methods": allowed},
    )
    response["Allow"] = allowed
    return response


def nowhere(request: HttpRequest) -> HttpResponse:
    """Any address under /api/ that is not an endpoint."""
    return _not_found(request, Http404())


def install(api: NinjaAPI) -> None:
    # Most specific first does not matter: ninja picks the handler by the exception's MRO.
    handlers: list[tuple[type[Exception], Any]] = [
        (Exception, _unexpected),
        (DomainError, _domain_error),
        (ValidationError, _validation_error),
        (HttpError, _http_error),
        (RequestDataTooBig, _too_big),
        (Http404, _not_found),
        (ObjectDoesNotExist, _not_found),
        (PermissionDenied, _forbidden),
    ]
    for exception, handler in handlers:
        api.add_exception_handler(exception, handler)
