"""Reading the audit log: admins only, newest first, a key-set page at a time."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.audit.models import AuditEntry
from sigap.core.cursor import Page, paginate_desc
from sigap.core.errors import NotAllowed

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def audit_page(
    *, by: User, cursor: str | None, size: int = PAGE_SIZE, action: str = ""
) -> Page[AuditEntry]:
    if not by.has_perm("audit.view_auditentry"):
        raise NotAllowed(_("Only an admin may read the audit log."))
    entries = AuditEntry.objects.select_related("actor")
    if action:
        entries = entries.filter(action=action)
    return paginate_desc(entries, field="at", cursor=cursor, size=size)
