"""Downloading a ticket's attachment with a bearer token: the same checks as the web page."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from ninja import Router

from sigap.api.auth import caller
from sigap.api.errors import problems
from sigap.api.schemas.attachments import AttachmentOut
from sigap.tickets.downloads import attachment_for, download_response
from sigap.tickets.models import Attachment

router = Router(tags=["tickets"])

_BINARY = {"schema": {"type": "string", "format": "binary"}}


def attachment_url(attachment: Attachment) -> str:
    return f"/api/attachments/{attachment.storage_key}"


def attachment_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.pk,
        message_id=attachment.message_id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        url=attachment_url(attachment),
        created_at=attachment.created_at,
    )


@router.get(
    "/attachments/{key}",
    response={200: None, **problems(400, 404)},
    summary="An attachment's file",
    description="The address is the `url` of an attachment in a ticket. Another team's "
    "attachment is answered 404, like one that does not exist.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {
                    "application/octet-stream": _BINARY,
                    "image/*": _BINARY,
                    "application/pdf": _BINARY,
                    "text/plain": _BINARY,
                },
            }
        }
    },
)
def attachment_download(request: HttpRequest, key: str) -> FileResponse:
    return download_response(attachment_for(caller(request), key))
