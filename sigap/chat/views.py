"""The widget's HTTP side: its words and availability, and file uploads.

Called from shops' pages on other sites, so answers carry CORS headers for allowed origins
only. The visitor is their token, sent in the form; the desk's session cookie is never used.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sigap.chat import services
from sigap.chat.availability import agents_available
from sigap.chat.limits import RateLimited
from sigap.chat.models import ChatWidget
from sigap.chat.texts import widget_texts
from sigap.core.errors import DomainError, InvalidInput, NotFound

logger = logging.getLogger(__name__)

# The form around a file adds a little to its size.
_FORM_OVERHEAD_BYTES = 64 << 10


def _problem(error: DomainError) -> JsonResponse:
    response = JsonResponse(
        {"code": error.code, "message": error.message, "field": error.field},
        status=error.status_code,
    )
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


def _allowed_widget(request: HttpRequest, key: str) -> ChatWidget:
    widget = services.widget_for(key)
    origin = request.headers.get("Origin")
    if not services.origin_allowed(widget, origin):
        logger.warning("chat request refused: origin %r is not allowed for widget %s", origin, key)
        raise NotFound(_("This chat is not available."))
    return widget


def _cors(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    origin = request.headers.get("Origin")
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Expose-Headers"] = "Retry-After"
    response["Vary"] = "Origin"
    return response


def _client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded-for header is the client's own word.
    return str(request.META.get("REMOTE_ADDR", ""))


@csrf_exempt
@require_http_methods(["GET", "OPTIONS"])
def widget_config(request: HttpRequest, key: str) -> HttpResponse:
    """The widget's words in the visitor's language, and whether someone can answer live."""
    try:
        widget = _allowed_widget(request, key)
    except DomainError as error:
        return _problem(error)
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), request)
    language = services.language_of(request.GET.get("language", ""))
    return _cors(
        JsonResponse(
            {
                "texts": widget_texts(language),
                "available": agents_available(widget.team, language=language),
                "max_file_bytes": settings.ATTACHMENT_MAX_BYTES,
            }
        ),
        request,
    )


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def upload(request: HttpRequest, key: str) -> HttpResponse:
    """A file from the visitor holding the token in the form; it joins their conversation."""
    try:
        widget = _allowed_widget(request, key)
    except DomainError as error:
        return _problem(error)
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), request)
    language = services.language_of(request.GET.get("language", ""))
    with translation.override(language):
        return _cors(_upload(request, widget), request)


def _upload(request: HttpRequest, widget: ChatWidget) -> HttpResponse:
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.ATTACHMENT_MAX_BYTES + _FORM_OVERHEAD_BYTES:
        return _problem(
            InvalidInput(
                _("The file is larger than %(max)s.")
                % {"max": filesizeformat(settings.ATTACHMENT_MAX_BYTES)},
                field="file",
            )
        )
    token = request.POST.get("token", "")
    visitor = services.visitor_by_token(widget=widget, token=token)
    if visitor is None:
        return _problem(NotFound(_("Start the chat before sending a file.")))
    upload = request.FILES.get("file")
    if upload is None:
        return _problem(InvalidInput(_("Choose a file to send."), field="file"))
    try:
        message = services.chat_attachment_receive(
            visitor=visitor,
            filename=upload.name or "",
            content_type=upload.content_type or "",
            payload=upload.read(settings.ATTACHMENT_MAX_BYTES + 1),
            address=_client_address(request),
        )
    except DomainError as error:
        logger.info("chat upload refused for visitor %s: %s", visitor.public_id, error.message)
        return _problem(error)
    return JsonResponse({"message": services.message_payload(message)}, status=201)
