"""Downloading a file a customer sent, for desk users who may see its ticket."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from sigap.core.errors import NotFound
from sigap.tickets.downloads import attachment_for, download_response
from sigap.web.views.common import current_user


@login_required
@require_GET
def attachment_download(request: HttpRequest, key: str) -> FileResponse:
    try:
        return download_response(attachment_for(current_user(request), key))
    except NotFound as error:
        raise Http404(error.message) from None
