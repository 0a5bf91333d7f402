from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "sigap.chat"
    label = "chat"
    verbose_name = _("Live chat")

    def ready(self) -> None:
        # Registers the chat channel's transport, so an agent's reply reaches the visitor.
        from sigap.chat import delivery  # noqa: F401
