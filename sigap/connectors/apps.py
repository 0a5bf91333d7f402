from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "sigap.connectors"
    label = "connectors"
    verbose_name = "Messaging connectors"

    def ready(self) -> None:
        # Registers the transport that sends replies on social tickets through their connector.
        from sigap.connectors import delivery  # noqa: F401
