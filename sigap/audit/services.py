"""Writing to the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from sigap.accounts.models import User
from sigap.audit.models import AuditEntry
from sigap.core import clock


def request_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def audit_record(
    *,
    action: str,
    summary: str,
    actor: User | None = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Add one entry. Call it inside the transaction of the change so both land or neither."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEntry.objects.create(
        at=clock.now(),
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        data=data or {},
        ip=ip,
    )
