from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from sigap.accounts.models import Role, User
from sigap.audit.models import AuditEntry
from sigap.sops.models import SopVersion
from sigap.sops.services import sop_import, sop_publish
from tests.factories import PASSWORD
from tests.sops.test_versions import _source


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def test_sign_ins_and_failed_sign_ins_are_logged_with_the_address(
    client: Client, agent: User
) -> None:
    AuditEntry.objects.all().delete()  # a clean start; the admin and the model refuse this
    client.post("/login/", {"username": "sari", "password": "wrong"}, REMOTE_ADDR="10.0.0.7")
    client.post("/login/", {"username": "sari", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")

    failed, signed_in = AuditEntry.objects.order_by("id")
    assert (failed.action, failed.actor, failed.ip) == ("sign_in_failed", None, "10.0.0.7")
    assert failed.data == {"username": "sari"}
    assert "wrong" not in str(failed.data) + failed.summary
    assert (signed_in.action, signed_in.actor, signed_in.ip) == ("sign_in", agent, "10.0.0.8")


def test_publishing_an_sop_is_logged(damaged_product: SopVersion, supervisor: User) -> None:
    draft = sop_import(text=_source().replace("within: 1h}", "within: 30m}", 1), by=supervisor)

    sop_publish(version=draft, by=supervisor, notes="Reply faster")

    entry = AuditEntry.objects.filter(action="sop_published").latest("id")
    assert (entry.actor, entry.object_type, entry.object_id) == (
        supervisor,
        "sops.sopversion",
        str(draft.pk),
    )


def test_a_role_change_is_logged(agent: User) -> None:
    agent.groups.add(Group.objects.get(name=Role.SUPERVISOR))

    entry = AuditEntry.objects.filter(action="roles_changed").latest("id")
    assert entry.object_id == str(agent.pk)
    assert entry.data == {"change": "add", "roles": [Role.SUPERVISOR]}


def test_a_change_in_the_admin_site_is_logged(
    client: Client, admin_user: User, agent: User
) -> None:
    client.force_login(admin_user)
    group = Group.objects.get(name=Role.AGENT)

    response = client.post(
        f"/admin/accounts/user/{agent.pk}/change/",
        {
            "username": "sari",
            "email": "sari@desk.example",
            "first_name": "Sari",
            "last_name": "Lestari",
            "is_active": "on",
            "groups": [group.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "last_login_0": "",
            "last_login_1": "",
            "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "00:00:00",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(action="settings_changed").latest("id")
    assert (entry.actor, entry.data["model"], entry.data["change"]) == (
        admin_user,
        "user",
        "changed",
    )


def test_the_audit_log_cannot_be_edited_in_the_admin(client: Client, admin_user: User) -> None:
    entry = AuditEntry.objects.latest("id")
    client.force_login(admin_user)

    listing = client.get("/admin/audit/auditentry/")
    add = client.get("/admin/audit/auditentry/add/")
    change = client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"summary": "forged"})
    delete = client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    entry.refresh_from_db()
    assert entry.summary != "forged"


def test_an_entry_cannot_be_rewritten_or_deleted_through_the_model(agent: User) -> None:
    entry = AuditEntry.objects.latest("id")
    entry.summary = "forged"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
