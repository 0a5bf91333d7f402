from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "sigap.chat"
    label = "chat"
    verbose_name = "Live chat"
