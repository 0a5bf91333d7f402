"""`sigap serve` as an operator runs it, and the application it serves pages and sockets from."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django.contrib.admin
import httpx
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from sigap import server
from sigap.accounts.models import User
from sigap.server import application
from sigap.tickets.models import Ticket
from sigap.tickets.services import ticket_add_note
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
READY_SECONDS = 60.0
STOP_SECONDS = 5.0


# --------------------------------------------------------------------------- the real process


@dataclass
class RunningDesk:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> int:
        """SIGTERM, as a service manager sends it; the exit code. A process still running after
        STOP_SECONDS fails the test (a hang guard, not a measurement)."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(STOP_SECONDS)


@contextmanager
def running_desk(data_dir: Path, name: str) -> Iterator[RunningDesk]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SIGAP_")}
    env["SIGAP_DATA_DIR"] = str(data_dir)  # SQLite in its own folder
    port = free_port()
    log = data_dir.parent / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "sigap", "serve", "--no-workers", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            assert process.poll() is None, f"serve exited early:\n{log.read_text()}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"no answer on /healthz:\n{log.read_text()}"
            time.sleep(0.1)
        yield RunningDesk(port, process, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_answers_refuses_anonymous_sockets_and_stops_cleanly(tmp_path: Path) -> None:
    with running_desk(tmp_path / "data", "serve") as desk:
        health = httpx.get(f"http://127.0.0.1:{desk.port}/healthz")
        with (
            pytest.raises(InvalidStatus) as refused,
            connect(
                f"ws://127.0.0.1:{desk.port}/ws/inbox/",
                additional_headers={"Origin": f"http://127.0.0.1:{desk.port}"},
                open_timeout=5,
            ),
        ):
            pass
        exit_code = desk.stop()

    assert (health.status_code, health.text) == (200, "ok")
    assert refused.value.response.status_code == 403
    assert exit_code == 0
    assert "Traceback" not in desk.output()
    assert desk.output().rstrip().endswith("Sigap stopped.")


def test_first_admin_password_is_shown_on_first_start_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with running_desk(data_dir, "first") as first:
        assert first.stop() == 0
    with running_desk(data_dir, "second") as second:
        assert second.stop() == 0

    assert "Created the first admin. Username: admin  Password: " in first.output()
    assert "Created the first admin" not in second.output()
    assert "Sigap is running at http://127.0.0.1:" in second.output()


# --------------------------------------------------------------------------- the application


def _add_note_page(request: HttpRequest, pk: int) -> HttpResponse:
    assert isinstance(request.user, User)
    ticket_add_note(ticket=Ticket.objects.get(pk=pk), by=request.user, body="Dicek di gudang")
    return HttpResponse("noted")


@csrf_exempt
def _echo_page(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(request.body, content_type="application/octet-stream")
    response.set_cookie("seen", "yes")
    return response


urlpatterns = [
    path("test/notes/<int:pk>/", _add_note_page),
    path("test/echo/", _echo_page),
]


@dataclass
class Answer:
    status: int
    headers: dict[bytes, bytes]
    body: bytes


async def _http(
    method: str, url: str, *, cookie: str = "", body_parts: tuple[bytes, ...] = (b"",)
) -> Answer:
    """One request straight into the ASGI application, the body in as many parts as given."""
    headers = [(b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
    }
    incoming = [
        {"type": "http.request", "body": part, "more_body": index < len(body_parts) - 1}
        for index, part in enumerate(body_parts)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await application(scope, receive, send)
    start, *bodies = sent
    return Answer(
        status=start["status"],
        headers={name.lower(): value for name, value in start["headers"]},
        body=b"".join(message.get("body", b"") for message in bodies),
    )


@pytest.fixture
def own_page_threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Page threads for this test alone, ended after it so none keeps a database connection."""
    pages = server.WsgiHttp(server.http_application.app, threads=2)
    monkeypatch.setattr(server, "http_application", pages)
    yield
    pages.close()


async def _with_lifespan(scenario: Any) -> Any:
    """Run `scenario` between the lifespan startup and shutdown the server sends."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan = asyncio.create_task(application({"type": "lifespan"}, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    try:
        return await scenario()
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await lifespan


@pytest.mark.usefixtures("own_page_threads")
@pytest.mark.django_db(transaction=True)
def test_a_change_made_by_a_page_reaches_the_agents_inbox_socket(
    agent: User, ticket: Ticket, settings: Any
) -> None:
    settings.ROOT_URLCONF = __name__
    client = Client()
    client.force_login(agent)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    async def scenario() -> tuple[Answer, Any]:
        inbox = WebsocketCommunicator(
            application,
            "/ws/inbox/",
            headers=[(b"cookie", cookie.encode()), (b"origin", b"http://testserver")],
        )
        connected, _ = await inbox.connect(timeout=5)
        assert connected
        page = await _http("GET", f"/test/notes/{ticket.pk}/", cookie=cookie)
        notice = await inbox.receive_json_from(timeout=5)
        await inbox.disconnect()
        # The socket's database work ran in asgiref's thread; its connection must not outlive
        # the test database.
        await database_sync_to_async(connections.close_all)()
        return page, notice

    page, notice = asyncio.run(_with_lifespan(scenario))

    assert (page.status, page.body) == (200, b"noted")
    assert notice == {"event": "changed", "ticket": ticket.pk}


@pytest.mark.usefixtures("own_page_threads")
def test_an_upload_sent_in_parts_reaches_the_page_whole(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    parts = (b"a" * 70_000, b"b" * 2_000_000, b"c")

    answer = asyncio.run(_http("POST", "/test/echo/", body_parts=parts))

    assert answer.status == 200
    assert answer.body == b"".join(parts)
    # Well-formed for strict HTTP parsers: no leading space as Django's WSGI handler writes it.
    assert answer.headers[b"set-cookie"].startswith(b"seen=yes;")


@pytest.mark.usefixtures("own_page_threads")
def test_a_static_file_is_streamed_whole() -> None:
    stylesheet = Path(django.contrib.admin.__file__).parent / "static/admin/css/base.css"

    answer = asyncio.run(_with_lifespan(lambda: _http("GET", "/static/admin/css/base.css")))

    assert answer.status == 200
    assert answer.body == stylesheet.read_bytes()
    assert answer.headers[b"content-length"] == str(stylesheet.stat().st_size).encode()
