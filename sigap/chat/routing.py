from django.urls import path

from sigap.chat.consumers import VisitorConsumer

# Under /ws/public/: opened from shops' pages, so each consumer checks its own allowed origins.
chat_websocket_urlpatterns = [
    path("ws/public/chat/<slug:key>/", VisitorConsumer.as_asgi()),
]
