from django.urls import path

from sigap.chat.routing import chat_websocket_urlpatterns
from sigap.web.consumers import InboxConsumer

websocket_urlpatterns = [path("ws/inbox/", InboxConsumer.as_asgi())]

# Sockets opened from other sites' pages (the chat widget): no session, their own origin check.
PUBLIC_WEBSOCKET_PREFIX = "/ws/public/"
public_websocket_urlpatterns = chat_websocket_urlpatterns
