from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "sigap.routing"
    label = "routing"
    verbose_name = "Routing"
