from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "sigap.tickets"
    label = "tickets"
