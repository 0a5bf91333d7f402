"""The audit log over the API: read-only, there is no way to write or change an entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import P, QueryEx, Router, Schema

from sigap.api.auth import caller
from sigap.api.errors import problems
from sigap.api.schemas.common import PageOf, Text
from sigap.audit.models import AuditEntry
from sigap.audit.selectors import MAX_PAGE_SIZE, PAGE_SIZE, audit_page

router = Router(tags=["audit"])
PageSize = QueryEx[int, P(ge=1, le=MAX_PAGE_SIZE)]


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor: str | None
    action: str
    object_type: str
    object_id: str
    summary: str
    data: dict[str, Any]
    ip: str | None


class AuditPage(PageOf):
    items: list[AuditEntryOut]


def _entry_out(entry: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(
        id=entry.pk,
        at=entry.at,
        actor=entry.actor.get_username() if entry.actor else None,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        summary=entry.summary,
        data=entry.data,
        ip=entry.ip,
    )


@router.get("/audit", response={200: AuditPage, **problems(400, 403)}, summary="Audit log")
def audit_list(
    request: HttpRequest, action: Text = "", cursor: Text | None = None, size: PageSize = PAGE_SIZE
) -> AuditPage:
    """Sign-ins, role changes, SOP publications, admin changes, exports and erasures, newest
    first. Admins only."""
    page = audit_page(by=caller(request), cursor=cursor, size=size, action=action)
    return AuditPage(items=[_entry_out(e) for e in page.items], next_cursor=page.next_cursor)
