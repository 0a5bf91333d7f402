"""The one ASGI application `sigap serve` runs: pages at WSGI speed, WebSockets by Channels.

Django's own ASGI handler hops between the event loop and threads many times per request
(DESIGN §1). So HTTP goes to the WSGI application in a thread pool, one hop there and one back
per request; only WebSockets use Channels.

Measured by bench/http.py on 2 cores (SQLite, /healthz with its SELECT 1, 16 connections,
median of 3 rounds): 796 req/s under uvicorn+httptools, against 599 for gunicorn with one sync
worker, 462 for the a2wsgi adapter used before and 283 for Django's ASGI handler. Calling the
WSGI app on the event loop itself was no faster (638), held sockets up for 170 ms and lost every
live notice, so pages stay in threads.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any
from wsgiref.types import WSGIApplication, WSGIEnvironment

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
_wsgi = get_wsgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from sigap.core.env import env_int  # noqa: E402
from sigap.core.realtime import bind_server_loop  # noqa: E402
from sigap.web.routing import (  # noqa: E402
    PUBLIC_WEBSOCKET_PREFIX,
    public_websocket_urlpatterns,
    websocket_urlpatterns,
)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

# bench/http.py on 2 cores: 4 and 8 threads tie, 16 lose to GIL contention and 1 cannot overlap
# the loop's parsing with a page. 8 leaves room for pages that wait on PostgreSQL or the network.
HTTP_THREADS = env_int("SIGAP_HTTP_THREADS", 8)
# Request bodies up to this size stay in memory; larger uploads spill to a temporary file.
_SPOOL_BYTES = 1 << 20
# Streamed responses (files) are sent in pieces of about this size, not Django's 4 KiB blocks.
_STREAM_BATCH_BYTES = 64 << 10


class WsgiHttp:
    """Serves ASGI HTTP requests with a WSGI application running in a thread pool.

    The body is read on the event loop before the page runs, so a slow upload holds no thread.
    An ordinary response comes back from the thread in one piece; only streamed responses
    (downloads, static files) cross back to the loop per piece.
    """

    def __init__(self, app: WSGIApplication, *, threads: int) -> None:
        self.app = app
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sigap-http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, length = await _read_body(receive)
        environ = wsgi_environ(scope, body, length)
        loop = asyncio.get_running_loop()
        try:
            answer = await self.call_page(environ, loop, send)
        finally:
            body.close()
        if answer is not None:
            status, headers, content = answer
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": content})

    async def call_page(
        self, environ: WSGIEnvironment, loop: asyncio.AbstractEventLoop, send: Send
    ) -> tuple[int, Headers, bytes] | None:
        return await loop.run_in_executor(self._executor, self.run_page, environ, loop, send)

    def close(self) -> None:
        """Wait for running pages, then end the threads and with them their database connections."""
        self._executor.shutdown(wait=True)

    def run_page(
        self, environ: WSGIEnvironment, loop: asyncio.AbstractEventLoop, send: Send
    ) -> tuple[int, Headers, bytes] | None:
        """Run the WSGI app; return a buffered response, or stream it and return None."""
        started: list[tuple[int, Headers]] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            started[:] = [(int(status[:3]), _encode_headers(headers))]
            return _no_write

        result = self.app(environ, start_response)
        try:
            # The request's database connection and its request_finished signal belong to this
            # thread, so the whole response is produced here, streamed or not.
            if not getattr(result, "streaming", False):
                content = b"".join(result)
                status, headers = started[0]
                return status, headers, content
            status, headers = started[0]
            _send_from_thread(
                loop, send, {"type": "http.response.start", "status": status, "headers": headers}
            )
            for piece in _batched(result, _STREAM_BATCH_BYTES):
                _send_from_thread(
                    loop, send, {"type": "http.response.body", "body": piece, "more_body": True}
                )
            _send_from_thread(loop, send, {"type": "http.response.body", "body": b""})
            return None
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()


def _no_write(data: bytes) -> object:
    raise RuntimeError("the WSGI write() callable is not supported; return an iterable")


def _encode_headers(headers: list[tuple[str, str]]) -> Headers:
    # Django writes Set-Cookie values with a leading space, which strict parsers (h11) refuse.
    return [(name.encode("latin1"), value.strip().encode("latin1")) for name, value in headers]


def _send_from_thread(loop: asyncio.AbstractEventLoop, send: Send, message: Message) -> None:
    async def deliver() -> None:
        await send(message)

    # Waiting for each piece to be sent keeps a slow client from filling memory.
    asyncio.run_coroutine_threadsafe(deliver(), loop).result()


def _batched(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    pending: list[bytes] = []
    pending_bytes = 0
    for chunk in chunks:
        pending.append(chunk)
        pending_bytes += len(chunk)
        if pending_bytes >= size:
            yield b"".join(pending)
            pending, pending_bytes = [], 0
    if pending:
        yield b"".join(pending)


async def _read_body(receive: Receive) -> tuple[IO[bytes], int]:
    message = await receive()
    chunk: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        return io.BytesIO(chunk), len(chunk)
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
    length = 0
    while True:
        spool.write(chunk)
        length += len(chunk)
        if not message.get("more_body", False):
            break
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
    spool.seek(0)
    return spool, length


def wsgi_environ(scope: Scope, body: IO[bytes], length: int) -> WSGIEnvironment:
    """The PEP 3333 environ for an ASGI HTTP scope whose body has already been read."""
    root_path: str = scope.get("root_path", "")
    path: str = scope["path"]
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :]
    server_host, server_port = scope.get("server") or ("localhost", 80)
    environ: WSGIEnvironment = {
        "REQUEST_METHOD": scope["method"],
        # WSGI carries paths as bytes decoded as latin-1 (PEP 3333 "bytes as unicode").
        "SCRIPT_NAME": root_path.encode("utf-8").decode("latin1"),
        "PATH_INFO": path.encode("utf-8").decode("latin1"),
        "QUERY_STRING": scope["query_string"].decode("latin1"),
        "SERVER_NAME": server_host,
        "SERVER_PORT": str(server_port or 0),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"] = client[0]
        environ["REMOTE_PORT"] = str(client[1])
    has_length_header = False
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin1").lower()
        if name == "content-length":
            # The body is already read, so its real length wins (also for chunked uploads).
            has_length_header = True
            continue
        key = "CONTENT_TYPE" if name == "content-type" else "HTTP_" + name.upper().replace("-", "_")
        value = raw_value.decode("latin1")
        if key in environ:
            value = f"{environ[key]},{value}"
        environ[key] = value
    if length or has_length_header:
        environ["CONTENT_LENGTH"] = str(length)
    return environ


http_application = WsgiHttp(_wsgi, threads=HTTP_THREADS)
websocket_application = AllowedHostsOriginValidator(
    AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
)
public_websocket_application = URLRouter(public_websocket_urlpatterns)


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    kind = scope["type"]
    if kind == "http":
        await http_application(scope, receive, send)
    elif kind == "websocket":
        if scope["path"].startswith(PUBLIC_WEBSOCKET_PREFIX):
            await public_websocket_application(scope, receive, send)
        else:
            await websocket_application(scope, receive, send)
    elif kind == "lifespan":
        await lifespan(receive, send)


async def lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            # Pages publish live notices from their threads; those sends must run on this loop,
            # which owns the in-memory channel layer (sigap.core.realtime).
            bind_server_loop(asyncio.get_running_loop())
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
