from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sigap.sla"
    label = "sla"
    verbose_name = "Response times"
