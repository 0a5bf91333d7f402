from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sigap.api"
    label = "api"
