from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sigap.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models import CharField

        from sigap.core.lookups import InConstants

        CharField.register_lookup(InConstants)
        # Registers the scheduled-backup poller with the job executor.
        from sigap.core import backup_schedule  # noqa: F401
