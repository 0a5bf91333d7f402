"""Real HTTP servers on 127.0.0.1 standing in for a webhook receiver and the Telegram Bot API.

They answer as the real ones document, record every request, and can be told to fail.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # Sent as is instead of `body` as JSON (a file download).
    raw: bytes | None = None


class FakeServer:
    """Answers each request with the next scripted Answer, or with `default(request)`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: list[Answer] = []
        self.lock = threading.Lock()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def default(self, request: Received) -> Answer:
        return Answer(200, {"id": f"ext-{len(self.received)}"})

    def answer(self, request: Received) -> Answer:
        with self.lock:
            self.received.append(request)
            if self.script:
                return self.script.pop(0)
        return self.default(request)


class TelegramBotApi(FakeServer):
    """The documented sendMessage behaviour for one bot token and the chats it knows."""

    def __init__(self, token: str, chats: set[int]) -> None:
        super().__init__()
        self.token = token
        self.chats = chats
        self.next_message_id = 500
        # file_id → (file_path, content), for getFile and the download that follows.
        self.files: dict[str, tuple[str, bytes]] = {}

    def default(self, request: Received) -> Answer:
        if request.method == "GET":
            return self._download(request)
        if request.path == f"/bot{self.token}/getFile":
            return self._get_file(request)
        if request.path == f"/bot{self.token}/setWebhook":
            return Answer(200, {"ok": True, "result": True, "description": "Webhook was set"})
        if request.path != f"/bot{self.token}/sendMessage":
            if request.path.endswith("/sendMessage"):
                return Answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return Answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        sent = request.json()
        if sent.get("chat_id") not in self.chats:
            return Answer(
                400,
                {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
            )
        self.next_message_id += 1
        return Answer(
            200,
            {
                "ok": True,
                "result": {
                    "message_id": self.next_message_id,
                    "from": {
                        "id": 999,
                        "is_bot": True,
                        "first_name": "Toko",
                        "username": "toko_bot",
                    },
                    "chat": {"id": sent["chat_id"], "type": "private"},
                    "date": 1767225600,
                    "text": sent["text"],
                },
            },
        )

    def _get_file(self, request: Received) -> Answer:
        file_id = request.json().get("file_id")
        if file_id not in self.files:
            return Answer(
                400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
            )
        path, content = self.files[file_id]
        result = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(content),
            "file_path": path,
        }
        return Answer(200, {"ok": True, "result": result})

    def _download(self, request: Received) -> Answer:
        prefix = f"/file/bot{self.token}/"
        for path, content in self.files.values():
            if request.path == prefix + path:
                return Answer(200, raw=content)
        return Answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})


def too_many_requests(retry_after: int) -> Answer:
    return Answer(
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after},
        },
    )


@contextmanager
def serving(fake: FakeServer) -> Iterator[FakeServer]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

        def _handle(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Received(
                method=method,
                path=self.path,
                headers={k: v for k, v in self.headers.items()},
                body=self.rfile.read(length),
            )
            answer = fake.answer(request)
            if answer.raw is not None:
                payload = answer.raw
            else:
                payload = b"" if answer.body is None else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
