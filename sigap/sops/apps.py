from django.apps import AppConfig


class SopsConfig(AppConfig):
    name = "sigap.sops"
    label = "sops"
