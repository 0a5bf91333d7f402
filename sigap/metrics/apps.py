from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "sigap.metrics"
    label = "metrics"
    verbose_name = "KPIs and reports"
