"""Roles as Django groups, and the permissions each one carries."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from sigap.accounts.models import Role

_AGENT = [
    "tickets.view_ticket",
    "tickets.add_ticket",
    "tickets.change_ticket",
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
]
_SUPERVISOR = [
    *_AGENT,
    "tickets.assign_any_agent",
    "customers.merge_customers",
    "sops.publish_sop",
    "sops.decide_approvals",
    "sops.grant_special_policy",
]
_MANAGER = [*_SUPERVISOR, "tickets.view_all_tickets"]
_ADMIN = [
    *_MANAGER,
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
    "accounts.view_team",
    "accounts.add_team",
    "accounts.change_team",
    "tickets.add_category",
    "tickets.change_category",
    "sla.view_policy",
    "sla.add_policy",
    "sla.change_policy",
    "sla.view_calendar",
    "sla.add_calendar",
    "sla.change_calendar",
    "sla.view_teamcalendar",
    "sla.add_teamcalendar",
    "sla.change_teamcalendar",
    "sla.delete_teamcalendar",
    "sla.view_escalation",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _AGENT,
    Role.SUPERVISOR: _SUPERVISOR,
    Role.MANAGER: _MANAGER,
    Role.ADMIN: _ADMIN,
}


def roles_sync() -> None:
    """Create the role groups and give each exactly its permissions. Safe to run repeatedly.

    Runs after each app migrates; permissions of apps not migrated yet are added on a later run.
    """
    known = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([known[name] for name in names if name in known])
