"""How fast `sigap serve` answers, beside a plain WSGI server and the other ways to serve it.

    .venv/bin/python bench/http.py [--seconds 10] [--connections 16] [--rounds 1]
                                   [--only NAME,NAME] [--python-load]

Every server runs in its own process on 127.0.0.1 against one SQLite data directory made for
the run (an agent, a team, some tickets, a session). Load comes from a second process: `wrk`
when installed, otherwise the small keep-alive load generator in this file (--python-load
forces it). Figures are requests per second and p50/p99 latency of /healthz (a real check:
SELECT 1) and of the signed-in agent's inbox `/`. On servers that keep WebSockets in the same
process, a signed-in browser-like client holds /ws/inbox/ open through the inbox load, pings it
(how long the event loop keeps it waiting) and, where the desk has a page that changes a
ticket, posts notes and times the live notice. Not part of the test suite; DESIGN §1.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called http.py: with its folder on sys.path it would stand in for the standard
# library's `http` package in everything imported below (uvicorn, websockets, urllib).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import string  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

HOST = "127.0.0.1"
TICKETS = 40
READY_SECONDS = 90.0
STOP_SECONDS = 15.0
WARM_UP_SECONDS = 2.0
# Long enough for three live notices with nothing else running.
IDLE_PROBE_SECONDS = 3.2
# The budget DESIGN §1 sets: `sigap serve` at no less than this share of gunicorn's /healthz.
BUDGET_SHARE = 0.5
LABEL_WIDTH = 58


# --------------------------------------------------------------------------- the servers


@dataclass(frozen=True)
class Variant:
    name: str
    label: str
    command: Callable[[int], list[str]]
    websocket: bool
    env: dict[str, str] = field(default_factory=dict)


def _sigap_serve(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "sigap",
        "serve",
        "--no-workers",
        "--host",
        HOST,
        "--port",
        str(port),
    ]


def _bench_serve(kind: str, threads: int = 8) -> Callable[[int], list[str]]:
    def command(port: int) -> list[str]:
        return [
            sys.executable,
            str(_HERE / "http.py"),
            "--serve",
            kind,
            "--threads",
            str(threads),
            "--port",
            str(port),
        ]

    return command


def _gunicorn(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "1",
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
        "sigap.wsgi:application",
    ]


def _django_asgi(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "django.core.asgi:get_asgi_application",
        "--host",
        HOST,
        "--port",
        str(port),
        "--http",
        "httptools",
        "--loop",
        "uvloop",
        "--log-level",
        "warning",
        "--no-access-log",
    ]


def _granian(interface: str, target: str) -> Callable[[int], list[str]]:
    def command(port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            interface,
            "--workers",
            "1",
            "--host",
            HOST,
            "--port",
            str(port),
            "--log-level",
            "warning",
            target,
        ]

    return command


VARIANTS = [
    Variant("gunicorn", "gunicorn, 1 sync worker (plain WSGI; the yardstick)", _gunicorn, False),
    Variant(
        "sigap-serve",
        "sigap serve (uvicorn+httptools, WSGI in 8 threads, Channels)",
        _sigap_serve,
        True,
    ),
    Variant(
        "serve-1-thread",
        "  the same, SIGAP_HTTP_THREADS=1",
        _sigap_serve,
        True,
        {"SIGAP_HTTP_THREADS": "1"},
    ),
    Variant(
        "serve-4-threads",
        "  the same, SIGAP_HTTP_THREADS=4",
        _sigap_serve,
        True,
        {"SIGAP_HTTP_THREADS": "4"},
    ),
    Variant(
        "serve-16-threads",
        "  the same, SIGAP_HTTP_THREADS=16",
        _sigap_serve,
        True,
        {"SIGAP_HTTP_THREADS": "16"},
    ),
    Variant("h11", "  the same, uvicorn's h11 parser", _bench_serve("h11"), True),
    Variant(
        "a2wsgi",
        "uvicorn+httptools, a2wsgi in 16 threads (before)",
        _bench_serve("a2wsgi", 16),
        True,
    ),
    Variant("a2wsgi-8", "  a2wsgi in 8 threads", _bench_serve("a2wsgi", 8), True),
    Variant(
        "inline",
        "uvicorn+httptools, WSGI on the event-loop thread",
        _bench_serve("inline"),
        True,
        # Django refuses database access on an event-loop thread unless told it is safe.
        {"DJANGO_ALLOW_ASYNC_UNSAFE": "true"},
    ),
    Variant("django-asgi", "uvicorn+httptools, Django's own ASGI handler", _django_asgi, False),
    Variant(
        "granian-asgi",
        "granian ASGI, sigap.server (WSGI in 8 threads, Channels)",
        _granian("asgi", "sigap.server:application"),
        True,
    ),
    Variant(
        "granian-wsgi",
        "granian WSGI (plain WSGI, no WebSockets)",
        _granian("wsgi", "sigap.wsgi:application"),
        False,
    ),
]


def serve_variant(kind: str, port: int, threads: int) -> None:
    """Run one of the in-between servers that have no command of their own."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    import uvicorn

    from sigap import server

    # Stop as `sigap serve` does, so the stop column compares like with like.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    http_parser = "httptools"
    app: Any = server.application
    if kind == "h11":
        http_parser = "h11"
    elif kind == "a2wsgi":
        from a2wsgi import WSGIMiddleware

        pages = WSGIMiddleware(server.http_application.app, workers=threads)  # type: ignore[arg-type]

        async def with_a2wsgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                await pages(scope, receive, send)  # type: ignore[arg-type]
            else:
                await server.application(scope, receive, send)

        app = with_a2wsgi
    elif kind == "inline":

        class OnTheLoop(server.WsgiHttp):
            async def call_page(self, environ: Any, loop: Any, send: Any) -> Any:
                return self.run_page(environ, loop, send)

        inline = OnTheLoop(server.http_application.app, threads=1)

        async def on_the_loop(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                await inline(scope, receive, send)
            else:
                await server.application(scope, receive, send)

        app = on_the_loop
    else:
        raise SystemExit(f"unknown server kind {kind!r}")
    uvicorn.run(
        app,
        host=HOST,
        port=port,
        http=http_parser,
        loop="uvloop",
        lifespan="on",
        access_log=False,
        log_level="warning",
    )


# --------------------------------------------------------------------------- test data


def make_desk() -> None:
    """Run inside the data directory's environment: an agent, tickets, a signed-in session."""
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.urls import NoReverseMatch, reverse

    from sigap.accounts.models import Role
    from sigap.accounts.services import team_create, user_create
    from sigap.customers.models import IdentityKind
    from sigap.customers.services import IdentityInput, customer_create
    from sigap.tickets.models import Channel
    from sigap.tickets.services import ticket_open

    team = team_create(name="Retail", slug="retail")
    agent = user_create(
        username="sari",
        email="sari@desk.example",
        password=None,
        role=Role.AGENT,
        teams=[team],
        first_name="Sari",
    )
    tickets = []
    for number in range(1, TICKETS + 1):
        customer = customer_create(
            by=None,
            name=f"Pelanggan {number}",
            identities=[IdentityInput(IdentityKind.EMAIL, f"pelanggan{number}@mail.example")],
        )
        tickets.append(
            ticket_open(
                customer=customer,
                identity=customer.identities.first(),
                channel=Channel.EMAIL,
                subject=f"Pesanan {number} datang pecah",
                body="Paket saya datang dalam keadaan pecah. Mohon dibantu penggantiannya.",
                team=team,
                assignee=agent if number % 3 == 0 else None,
            )
        )
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(agent.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    session.create()
    try:
        note_path: str | None = reverse("ticket_note", args=[tickets[0].pk])
    except NoReverseMatch:
        note_path = None
    csrf_header = settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-")
    print(
        json.dumps(
            {
                "session_cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
                "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
                "csrf_header": csrf_header,
                "ticket": tickets[0].pk,
                "note_path": note_path,
            }
        )
    )


# --------------------------------------------------------------------------- plain HTTP


def http_request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    timeout: float = 10.0,
) -> tuple[int, bytes]:
    """One request on a fresh connection; the status and the body."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin1") + body
    with socket.create_connection((HOST, port), timeout=timeout) as connection:
        connection.sendall(request)
        reader = _Reader(connection)
        status, _, content = reader.response()
    return status, content


class _Reader:
    """Reads HTTP/1.1 responses off one keep-alive connection."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.buffer = b""

    def _fill(self) -> None:
        data = self.connection.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buffer += data

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        taken, self.buffer = self.buffer[:size], self.buffer[size:]
        return taken

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def response(self) -> tuple[int, bool, bytes]:
        """Status, whether the server keeps the connection open, and the body."""
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        keep_alive = headers.get("connection", "").lower() != "close"
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    self._line()
                    break
                parts.append(self._take(size))
                self._line()
            return status, keep_alive, b"".join(parts)
        if "content-length" in headers:
            return status, keep_alive, self._take(int(headers["content-length"]))
        # No length: the body runs to the end of the connection.
        while True:
            try:
                self._fill()
            except ConnectionError:
                break
        body, self.buffer = self.buffer, b""
        return status, False, body


# --------------------------------------------------------------------------- load


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    failures: int
    note: str = ""


def _percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, int(share * len(sorted_values)))
    return sorted_values[index]


def python_load(
    port: int, path: str, headers: list[str], seconds: float, connections: int
) -> dict[str, Any]:
    """The load generator used where wrk is missing: one keep-alive connection per thread."""
    header_lines = "".join(f"{line}\r\n" for line in headers)
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n{header_lines}\r\n".encode("latin1")
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(connections)]
    failures = [0] * connections

    def worker(slot: int) -> None:
        connection: socket.socket | None = None
        reader: _Reader | None = None
        while time.perf_counter() < deadline:
            try:
                if connection is None:
                    connection = socket.create_connection((HOST, port), timeout=10)
                    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    reader = _Reader(connection)
                assert reader is not None
                started = time.perf_counter()
                connection.sendall(request)
                status, keep_alive, _ = reader.response()
                latencies[slot].append(time.perf_counter() - started)
                if status >= 400:
                    failures[slot] += 1
                if not keep_alive:
                    connection.close()
                    connection = None
            except OSError:
                failures[slot] += 1
                if connection is not None:
                    connection.close()
                connection = None
        if connection is not None:
            connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - began
    merged = sorted(value for values in latencies for value in values)
    return {
        "requests": len(merged),
        "seconds": took,
        "failures": sum(failures),
        "p50_ms": _percentile(merged, 0.50) * 1000,
        "p99_ms": _percentile(merged, 0.99) * 1000,
    }


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk_ms(text: str, label: str) -> float:
    match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    return float(match.group(1)) * _WRK_UNITS[match.group(2)] if match else float("nan")


def run_load(
    port: int,
    path: str,
    headers: list[str],
    seconds: float,
    connections: int,
    use_wrk: bool,
) -> Load:
    if use_wrk:
        command = [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--latency",
            "--timeout",
            "10s",
        ]
        for line in headers:
            command += ["-H", line]
        command.append(f"http://{HOST}:{port}{path}")
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
        total = re.search(r"(\d+) requests in", output)
        failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
        errors = re.search(
            r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
        )
        failures = int(failed.group(1)) if failed else 0
        # gunicorn's sync worker closes every connection; wrk counts those closes as read errors.
        failures += sum(int(errors.group(n)) for n in (1, 3, 4)) if errors else 0
        return Load(
            requests_per_second=float(rate.group(1)) if rate else 0.0,
            p50_ms=_wrk_ms(output, "50%"),
            p99_ms=_wrk_ms(output, "99%"),
            requests=int(total.group(1)) if total else 0,
            failures=failures,
        )
    command = [
        sys.executable,
        str(_HERE / "http.py"),
        "--load",
        path,
        "--port",
        str(port),
        "--seconds",
        str(seconds),
        "--connections",
        str(connections),
    ]
    for line in headers:
        command += ["--header", line]
    result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    return Load(
        requests_per_second=result["requests"] / result["seconds"],
        p50_ms=result["p50_ms"],
        p99_ms=result["p99_ms"],
        requests=result["requests"],
        failures=result["failures"],
    )


# --------------------------------------------------------------------------- WebSocket


@dataclass
class SocketReport:
    connected: bool = False
    error: str = ""
    open_at_end: bool = False
    pings_ms: list[float] = field(default_factory=list)
    notices_asked: int = 0
    notices_ms: list[float] = field(default_factory=list)

    def summary(self) -> str:
        if not self.connected:
            return f"REFUSED ({self.error})"
        pings = sorted(self.pings_ms)
        parts = ["stayed open" if self.open_at_end else f"CLOSED ({self.error})"]
        if pings:
            parts.append(
                f"ping p50 {_percentile(pings, 0.5):.1f} ms, p99 {_percentile(pings, 0.99):.1f} ms"
            )
        if self.notices_asked:
            notices = sorted(self.notices_ms)
            text = f"notices {len(notices)}/{self.notices_asked}"
            if notices:
                text += f" in p50 {_percentile(notices, 0.5):.0f} ms"
            parts.append(text)
        return "; ".join(parts)


async def _probe_socket(
    port: int, desk: dict[str, Any], stop: threading.Event, report: SocketReport
) -> None:
    from websockets.asyncio.client import connect

    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    headers = {"Cookie": desk["session_cookie"], "Origin": f"http://{HOST}:{port}"}
    try:
        socket_client = await connect(
            f"ws://{HOST}:{port}/ws/inbox/", additional_headers=headers, open_timeout=10
        )
    except Exception as error:
        report.error = f"{type(error).__name__}: {error}"
        return
    report.connected = True
    notice = asyncio.Event()

    async def read_notices() -> None:
        async for raw in socket_client:
            message = json.loads(raw)
            if message.get("ticket") == desk["ticket"]:
                notice.set()

    reader = asyncio.create_task(read_notices())
    next_note = time.perf_counter() + 0.5
    try:
        while not stop.is_set():
            started = time.perf_counter()
            pong = await socket_client.ping()
            await asyncio.wait_for(pong, 10)
            report.pings_ms.append((time.perf_counter() - started) * 1000)
            if desk["note_path"] and time.perf_counter() >= next_note:
                next_note = time.perf_counter() + 1.0
                notice.clear()
                report.notices_asked += 1
                started = time.perf_counter()
                status, _ = await asyncio.to_thread(
                    http_request,
                    port,
                    "POST",
                    desk["note_path"],
                    {
                        "Cookie": f"{desk['session_cookie']}; {desk['csrf_cookie_name']}={csrf}",
                        desk["csrf_header"]: csrf,
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                    b"body=Catatan+dari+bench",
                )
                if status < 400:
                    try:
                        await asyncio.wait_for(notice.wait(), 5)
                        report.notices_ms.append((time.perf_counter() - started) * 1000)
                    except TimeoutError:
                        pass
            await asyncio.sleep(0.2)
        report.open_at_end = not reader.done()
        if reader.done() and reader.exception() is not None:
            report.error = str(reader.exception())
    except Exception as error:
        report.error = f"{type(error).__name__}: {error}"
    finally:
        reader.cancel()
        await socket_client.close()


class SocketProbe:
    """Holds /ws/inbox/ open in a thread of this process while the load runs."""

    def __init__(self, port: int, desk: dict[str, Any]) -> None:
        self.report = SocketReport()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(_probe_socket(port, desk, self._stop, self.report)),
            daemon=True,
        )

    def __enter__(self) -> SocketProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)


# --------------------------------------------------------------------------- one run


@dataclass
class Row:
    variant: Variant
    healthz: Load | None = None
    inbox: Load | None = None
    idle_socket: SocketReport | None = None
    socket: SocketReport | None = None
    stops: list[tuple[int | None, float]] = field(default_factory=list)
    error: str = ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        # A session of its own, so granian's worker processes can be stopped with it.
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}: {_tail(log)}")
        try:
            status, body = http_request(port, "GET", "/healthz", timeout=2)
            if status == 200 and body == b"ok":
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"no answer on /healthz within {READY_SECONDS:.0f} s: {_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> tuple[int | None, float]:
    """SIGTERM; the exit code (None if it hung and was killed) and the seconds it took."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        code: int | None = process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        code = None
    took = time.monotonic() - started
    # Worker processes (granian) may outlive their parent; the session holds them all.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return code, took


def _describe_stops(stops: list[tuple[int | None, float]]) -> str:
    if any(code is None for code, _ in stops):
        return f"HUNG on SIGTERM (killed after {STOP_SECONDS:.0f} s)"
    codes = ", ".join(str(code) for code in dict.fromkeys(code for code, _ in stops))
    return f"on SIGTERM: exit {codes} within {max(took for _, took in stops):.1f} s"


def _tail(log: Path, lines: int = 8) -> str:
    try:
        return " | ".join(log.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


def measure(
    variant: Variant,
    env: dict[str, str],
    desk: dict[str, Any],
    args: argparse.Namespace,
    use_wrk: bool,
    logs: Path,
) -> Row:
    row = Row(variant)
    port = _free_port()
    log = logs / f"{variant.name}.log"
    process = _start(variant.command(port), {**env, **variant.env}, log)
    try:
        _wait_ready(process, port, log)
        cookie = [f"Cookie: {desk['session_cookie']}"]
        run_load(port, "/healthz", [], WARM_UP_SECONDS, args.connections, use_wrk)
        row.healthz = run_load(port, "/healthz", [], args.seconds, args.connections, use_wrk)
        run_load(port, "/", cookie, WARM_UP_SECONDS / 2, args.connections, use_wrk)
        if variant.websocket:
            with SocketProbe(port, desk) as idle:
                time.sleep(IDLE_PROBE_SECONDS)
            row.idle_socket = idle.report
            with SocketProbe(port, desk) as probe:
                row.inbox = run_load(port, "/", cookie, args.seconds, args.connections, use_wrk)
            row.socket = probe.report
        else:
            row.inbox = run_load(port, "/", cookie, args.seconds, args.connections, use_wrk)
    except (RuntimeError, subprocess.CalledProcessError, OSError) as error:
        row.error = str(error)
    finally:
        row.stops.append(_stop(process))
    return row


def _median_load(loads: list[Load]) -> Load | None:
    if not loads:
        return None
    return Load(
        requests_per_second=statistics.median(load.requests_per_second for load in loads),
        p50_ms=statistics.median(load.p50_ms for load in loads),
        p99_ms=statistics.median(load.p99_ms for load in loads),
        requests=sum(load.requests for load in loads),
        failures=sum(load.failures for load in loads),
    )


def _merged_reports(reports: list[SocketReport]) -> SocketReport | None:
    if not reports:
        return None
    merged = SocketReport(
        connected=all(report.connected for report in reports),
        open_at_end=all(report.open_at_end for report in reports),
        error="; ".join(sorted({report.error for report in reports if report.error})),
    )
    for report in reports:
        merged.pings_ms += report.pings_ms
        merged.notices_asked += report.notices_asked
        merged.notices_ms += report.notices_ms
    return merged


def _median_row(rounds: list[Row]) -> Row:
    good = [row for row in rounds if not row.error]
    return Row(
        variant=rounds[0].variant,
        healthz=_median_load([row.healthz for row in good if row.healthz]),
        inbox=_median_load([row.inbox for row in good if row.inbox]),
        idle_socket=_merged_reports([row.idle_socket for row in good if row.idle_socket]),
        socket=_merged_reports([row.socket for row in good if row.socket]),
        stops=[stop for row in rounds for stop in row.stops],
        error="" if good else rounds[-1].error,
    )


def _describe_inbox(port: int, desk: dict[str, Any]) -> str:
    status, body = http_request(port, "GET", "/", {"Cookie": desk["session_cookie"]})
    if status != 200:
        return f"/ answered {status}: the session was not accepted, so / is NOT the inbox"
    if b"<html" not in body.lower():
        return (
            f"/ answered 200 with {len(body)} bytes ({body[:40]!r}): a placeholder, the inbox "
            "page is not built yet"
        )
    return f"/ answered 200 with {len(body) / 1024:.0f} KiB of HTML: the inbox of {TICKETS} tickets"


def _cell(load: Load | None) -> str:
    if load is None:
        return f"{'-':>7} {'-':>7} {'-':>7}"
    text = f"{load.requests_per_second:7.0f} {load.p50_ms:7.1f} {load.p99_ms:7.1f}"
    if load.failures:
        text += f" ({load.failures} failed)"
    return text


def _print_row(row: Row) -> None:
    if row.error:
        print(f"{row.variant.label:{LABEL_WIDTH}} FAILED: {row.error}")
    else:
        print(f"{row.variant.label:{LABEL_WIDTH}} {_cell(row.healthz)}   {_cell(row.inbox)}")


def main(args: argparse.Namespace) -> None:
    chosen = [v for v in VARIANTS if not args.only or v.name in args.only.split(",")]
    use_wrk = shutil.which("wrk") is not None and not args.python_load
    data_dir = Path(tempfile.mkdtemp(prefix="sigap-bench-"))
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("SIGAP_")},
        "SIGAP_DATA_DIR": str(data_dir),
        "SIGAP_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "sigap.settings",
        "PYTHONPATH": str(ROOT),
    }
    print(
        f"{os.cpu_count()} CPU cores, shared by the servers and the load generator "
        f"({'wrk' if use_wrk else 'Python threads; install wrk for steadier figures'}); "
        f"{args.connections} connections, {args.seconds:g} s per figure."
    )
    print(f"Data: SQLite in {data_dir}")
    # Migrate through the real command first, so every server finds the same database.
    first = _sigap_serve(_free_port())
    setup_log = data_dir / "setup.log"
    process = _start(first, env, setup_log)
    port = int(first[-1])
    _wait_ready(process, port, setup_log)
    made = subprocess.run(
        [sys.executable, str(_HERE / "http.py"), "--make-desk"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        _stop(process)
        raise SystemExit(f"could not create the bench data:\n{made.stderr}")
    desk = json.loads(made.stdout.strip().splitlines()[-1])
    print(_describe_inbox(port, desk))
    if not desk["note_path"]:
        print("No page changes a ticket yet, so live notices are not timed (only the socket).")
    _stop(process)
    print()
    columns = f"{'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}"
    print(f"{'':{LABEL_WIDTH}} {'/healthz':^23}   {'/ (signed-in inbox)':^23}")
    print(f"{'server':{LABEL_WIDTH}} {columns}   {columns}")
    measured: dict[str, list[Row]] = {variant.name: [] for variant in chosen}
    # Round after round over all servers, so a slow minute of the machine hits them alike.
    for round_number in range(1, args.rounds + 1):
        for variant in chosen:
            row = measure(variant, env, desk, args, use_wrk, data_dir)
            measured[variant.name].append(row)
            if args.rounds > 1:
                print(f"  round {round_number}: {variant.name}", file=sys.stderr, flush=True)
            else:
                _print_row(row)
    rows = [_median_row(measured[variant.name]) for variant in chosen]
    if args.rounds > 1:
        print(f"(medians of {args.rounds} rounds)")
        for row in rows:
            _print_row(row)
    print()
    print("WebSocket /ws/inbox/ signed in: idle, then held through the inbox load; stopping:")
    for row in rows:
        if row.socket and row.idle_socket:
            print(f"  {row.variant.name:17} idle: {row.idle_socket.summary()}")
            print(f"  {'':17} under load: {row.socket.summary()}")
        else:
            print(f"  {row.variant.name:17} no WebSocket in this server")
        print(f"  {'':17} {_describe_stops(row.stops)}")
    by_name = {row.variant.name: row for row in rows}
    gunicorn, serve = by_name.get("gunicorn"), by_name.get("sigap-serve")
    if gunicorn and serve and gunicorn.healthz and serve.healthz:
        share = serve.healthz.requests_per_second / gunicorn.healthz.requests_per_second
        verdict = "within" if share >= BUDGET_SHARE else "OVER"
        print()
        print(
            f"Budget: sigap serve /healthz at {share:.0%} of gunicorn's "
            f"(at least {BUDGET_SHARE:.0%} required): {verdict} budget."
        )
    print(f"Server logs: {data_dir}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every server this often; print medians"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated variant names: " + ", ".join(v.name for v in VARIANTS),
    )
    parser.add_argument(
        "--python-load",
        action="store_true",
        help="use the Python load generator even if wrk is installed",
    )
    # The roles this file plays in its own child processes.
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=8, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--header", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--make-desk", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = _arguments()
    if arguments.serve:
        serve_variant(arguments.serve, arguments.port, arguments.threads)
    elif arguments.load:
        print(
            json.dumps(
                python_load(
                    arguments.port,
                    arguments.load,
                    arguments.header,
                    arguments.seconds,
                    arguments.connections,
                )
            )
        )
    elif arguments.make_desk:
        make_desk()
    else:
        main(arguments)
