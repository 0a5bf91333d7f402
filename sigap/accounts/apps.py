from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(**kwargs: Any) -> None:
    from sigap.accounts.roles import roles_sync

    roles_sync()


class AccountsConfig(AppConfig):
    name = "sigap.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Permissions exist only after migrate; Django creates its own the same way.
        post_migrate.connect(_sync_roles, dispatch_uid="sigap-roles-sync")
