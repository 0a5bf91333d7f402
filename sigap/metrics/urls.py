from django.urls import path

from sigap.metrics import views

urlpatterns = [
    path("", views.dashboard, name="metrics"),
    path("tickets/", views.tickets, name="metrics_tickets"),
]
