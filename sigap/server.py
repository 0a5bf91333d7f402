"""The one ASGI application `sigap serve` runs: pages at WSGI speed, WebSockets by Channels.

Django's own ASGI handler hops between the event loop and threads many times per request,
which measured here at a tenth of a WSGI server's rate (DESIGN §1, bench/http.py). So HTTP goes
to the WSGI application in a thread pool, one hop per request; only WebSockets use Channels.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
_wsgi = get_wsgi_application()

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from sigap.core.realtime import bind_server_loop  # noqa: E402
from sigap.web.routing import websocket_urlpatterns  # noqa: E402

HTTP_THREADS = int(os.environ.get("SIGAP_HTTP_THREADS", "16"))

_http = WSGIMiddleware(_wsgi, workers=HTTP_THREADS)  # type: ignore[arg-type]
_websocket = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))

Scope = dict[str, Any]


async def application(scope: Scope, receive: Any, send: Any) -> None:
    kind = scope["type"]
    if kind == "http":
        await _http(scope, receive, send)  # type: ignore[arg-type]
    elif kind == "websocket":
        await _websocket(scope, receive, send)
    elif kind == "lifespan":
        await _lifespan(receive, send)


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            bind_server_loop(asyncio.get_running_loop())
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
