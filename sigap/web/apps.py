from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sigap.web"
    label = "web"

    def ready(self) -> None:
        # Connects the receivers that keep open inbox sockets to what their person may see.
        from sigap.web import live_access  # noqa: F401
