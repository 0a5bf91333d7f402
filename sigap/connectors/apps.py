from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "sigap.connectors"
    label = "connectors"
    verbose_name = "Messaging connectors"
