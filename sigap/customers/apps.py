from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "sigap.customers"
    label = "customers"
