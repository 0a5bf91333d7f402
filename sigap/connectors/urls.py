from django.urls import path

from sigap.connectors.views import inbound

urlpatterns = [path("in/<str:key>", inbound, name="connector_inbound")]
