"""Open inbox sockets follow what their person may see: a socket joins its groups when it
connects, so a change of teams, role or account afterwards is told to it, and it re-joins.

Without this, an agent moved to another team kept hearing the old team's tickets until they
reloaded the page, and a deactivated account's open tab kept hearing everything it had.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from sigap.accounts.models import Team, User
from sigap.core.realtime import publish_on_commit
from sigap.tickets.access import access_group


def _tell(user_ids: Iterable[int]) -> None:
    groups = [access_group(pk) for pk in sorted(set(user_ids))]
    if groups:
        publish_on_commit(groups, {"type": "access.changed"})


def _members(instance: Any) -> list[int]:
    if isinstance(instance, Team):
        return list(instance.members.values_list("pk", flat=True))
    if isinstance(instance, Group):
        return list(instance.user_set.values_list("pk", flat=True))
    return []


@receiver(m2m_changed, sender=User.teams.through, dispatch_uid="live_access_teams")
@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="live_access_roles")
def memberships_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:  # the user's teams or roles changed
        _tell([instance.pk])
    elif action == "pre_clear":  # a team or role loses all its people: tell them before
        _tell(_members(instance))
    else:
        _tell(pk_set or [])


@receiver(post_save, sender=User, dispatch_uid="live_access_deactivated")
def account_saved(sender: Any, instance: User, **kwargs: Any) -> None:
    if not instance.is_active:
        _tell([instance.pk])
