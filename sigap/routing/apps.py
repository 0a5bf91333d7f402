from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class RoutingConfig(AppConfig):
    name = "sigap.routing"
    label = "routing"
    verbose_name = "Routing"

    def ready(self) -> None:
        from sigap.routing import hooks  # noqa: F401  (connects the signal receivers)
        from sigap.routing.models import TeamRouting
        from sigap.routing.services import routing_cache_clear

        for signal in (post_save, post_delete):
            signal.connect(routing_cache_clear, sender=TeamRouting, dispatch_uid="routing_cache")
