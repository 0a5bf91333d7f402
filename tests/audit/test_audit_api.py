"""The audit log over the API: admins read it a page at a time; nobody writes to it."""

from __future__ import annotations

from sigap.accounts.models import User
from sigap.audit.models import AuditEntry
from sigap.audit.services import audit_record
from tests.api.conftest import (
    ApiClient,
    api_as,  # noqa: F401  (fixture used by name)
)


def test_an_admin_pages_through_the_log_newest_first(
    api_as: ApiClient,  # noqa: F811
    admin_user: User,
) -> None:
    AuditEntry.objects.all().delete()  # a clean start; the model itself refuses deletes
    for number in range(5):
        audit_record(action="customer_exported", summary=f"export {number}", actor=admin_user)
    client = api_as(admin_user)

    first = client.get("/api/audit", {"size": 3, "action": "customer_exported"}).json()
    second = client.get(
        "/api/audit", {"size": 3, "action": "customer_exported", "cursor": first["next_cursor"]}
    ).json()

    summaries = [e["summary"] for e in first["items"] + second["items"]]
    assert summaries == [f"export {n}" for n in (4, 3, 2, 1, 0)]
    assert second["next_cursor"] is None
    assert first["items"][0]["actor"] == "admin"


def test_only_an_admin_reads_the_log_and_nobody_writes_it(
    api_as: ApiClient,  # noqa: F811
    manager: User,
    admin_user: User,
) -> None:
    entry = audit_record(action="sign_in", summary="agus signed in", actor=manager)

    read = api_as(manager).get("/api/audit")
    admin = api_as(admin_user)
    writes = [
        admin.post("/api/audit", {"summary": "forged"}, content_type="application/json"),
        admin.put(f"/api/audit/{entry.pk}", {"summary": "forged"}, content_type="application/json"),
        admin.delete(f"/api/audit/{entry.pk}"),
    ]

    assert read.status_code == 403
    assert read.json()["detail"] == "Only an admin may read the audit log."
    assert [w.status_code for w in writes] == [405, 404, 404]
    entry.refresh_from_db()
    assert entry.summary == "agus signed in"
