from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "sigap.routing"
    label = "routing"
    verbose_name = "Routing"

    def ready(self) -> None:
        from sigap.routing import hooks  # noqa: F401  (connects the signal receivers)
