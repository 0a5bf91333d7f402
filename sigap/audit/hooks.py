"""Signal receivers that put sign-ins, role changes and admin-site changes in the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from sigap.accounts.models import User
from sigap.audit.services import audit_record, request_ip


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def _signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_record(
        action="sign_in",
        actor=user,
        obj=user,
        summary=f"{user.get_username()} signed in",
        ip=request_ip(request),
    )


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked the password in `credentials`; only the name is kept.
    name = str(credentials.get("username", ""))[:150]
    audit_record(
        action="sign_in_failed",
        summary=f"failed sign-in as {name}",
        data={"username": name},
        ip=request_ip(request),
    )


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="audit_roles")
def _roles_changed(
    sender: Any, instance: Any, action: str, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, User):
        users, groups = (
            [instance],
            sorted(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True)),
        )
    else:  # changed from the group's side
        users = list(User.objects.filter(pk__in=pk_set or ()))
        groups = [instance.name]
    verb = {"post_add": "given", "post_remove": "removed from", "post_clear": "removed from all"}
    for user in users:
        audit_record(
            action="roles_changed",
            obj=user,
            summary=f"{user.get_username()} {verb[action]} {', '.join(groups)}".strip(),
            data={"change": action.removeprefix("post_"), "roles": groups},
        )


@receiver(m2m_changed, sender=User.user_permissions.through, dispatch_uid="audit_permissions")
def _permissions_changed(
    sender: Any, instance: Any, action: str, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear") or not isinstance(instance, User):
        return
    audit_record(
        action="permissions_changed",
        obj=instance,
        summary=f"permissions of {instance.get_username()} changed",
        data={"change": action.removeprefix("post_"), "permission_ids": sorted(pk_set or ())},
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_site")
def _admin_site_change(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    kind = {1: "added", 2: "changed", 3: "deleted"}.get(instance.action_flag, "changed")
    model = instance.content_type.model if instance.content_type is not None else ""
    audit_record(
        action="settings_changed",
        actor=instance.user,
        summary=f"{model} {instance.object_repr} {kind} in the admin site",
        data={
            "model": model,
            "object_id": instance.object_id or "",
            "change": kind,
            "message": instance.get_change_message(),
        },
    )
