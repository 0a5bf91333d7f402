from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sigap.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models import CharField

        from sigap.core.lookups import InConstants

        CharField.register_lookup(InConstants)
