from django.urls import path

from sigap.routing import views

urlpatterns = [
    path("presence/", views.presence_post, name="routing_presence"),
    path("queue/", views.queue, name="routing_queue"),
]
