"""The inbound webhook endpoint every connector shares; the URL's key says which connector."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from sigap.connectors.models import Connector
from sigap.connectors.registry import Rejected
from sigap.connectors.services import inbound_receive
from sigap.connectors.throttle import inbound_retry_after

logger = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
RETRY_AFTER_UNAVAILABLE = 30


def _problem(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(
        {"type": f"urn:sigap:problem:{code}", "status": status, "detail": detail},
        status=status,
        content_type=PROBLEM,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt  # authenticated by signature or secret token, not by a browser session
@never_cache
def inbound(request: HttpRequest, key: str) -> JsonResponse:
    connector = Connector.objects.filter(inbound_key=key, is_enabled=True).first()
    if connector is None:
        return _problem(404, "not_found", _("No connector receives at this address."))
    if request.method != "POST":
        response = _problem(405, "method_not_allowed", _("Send messages with POST."))
        response["Allow"] = "POST"
        return response
    wait = inbound_retry_after(connector.pk)
    if wait is not None:
        logger.warning("connector %s: inbound rate limit reached", connector.pk)
        response = _problem(
            429, "rate_limited", _("Too many requests; try again in %(s)s seconds.") % {"s": wait}
        )
        response["Retry-After"] = str(wait)
        return response
    try:
        body = request.body
    except RequestDataTooBig:
        return _problem(413, "too_large", _("The request body is too large."))
    try:
        outcome = inbound_receive(connector=connector, headers=request.headers, body=body)
    except Rejected as rejected:
        logger.warning("connector %s: refused a request: %s", connector.pk, rejected.message)
        return _problem(rejected.status, rejected.code, rejected.message)
    except (OperationalError, InterfaceError):
        # The database is down or busy: nothing was kept, so the sender must try again.
        logger.exception("connector %s: could not store a request", connector.pk)
        response = _problem(503, "unavailable", _("The desk cannot store messages right now."))
        response["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
        return response
    if outcome.status >= 400:
        return _problem(outcome.status, outcome.code, outcome.detail)
    return JsonResponse(
        {
            "status": outcome.code,
            "detail": outcome.detail,
            "tickets": [ticket.reference for ticket in outcome.tickets],
        },
        status=outcome.status,
        json_dumps_params={"ensure_ascii": False},
    )
