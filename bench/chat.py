"""Live chat on one node: many visitors writing at once through the widget's socket.

    .venv/bin/python bench/chat.py [--visitors 500] [--rounds 5] [--db sqlite|postgres|both]

Starts a real `sigap serve --no-workers` on loopback (SQLite, or PostgreSQL with Redis as the
channel layer), signs an agent in on the inbox socket and opens N visitor sockets from a shop's
origin. Then:

- bursts: every visitor writes at the same moment, R times: the messages per second the
  consumer stores when saturated (the first round opens the tickets and is shown on its own);
- paced: visitors write at a human pace (--rate messages a second in all, from random
  visitors) for --seconds: the latency users feel.

Each message is timed from the visitor's send to (a) the echo on the visitor's own socket and
(b) the notice on the agent's inbox socket: p50 and p99.

Not a test: it prints figures and never fails on them. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
from _common import percentile, say

SHOP = "http://toko.example"
BUDGET_P99_MS = 100.0


def _seed() -> str:
    """A team with its agent and a widget; the agent's session cookie."""
    from django.conf import settings
    from django.test import Client

    from sigap.accounts.models import Role
    from sigap.accounts.services import team_create, user_create
    from sigap.chat.models import ChatWidget

    team = team_create(name="Pelanggan Retail", slug="retail")
    agent = user_create(
        username="sari",
        email="sari@desk.example",
        password="bench-password-2024",
        role=Role.AGENT,
        teams=[team],
    )
    ChatWidget.objects.create(key="toko", name="Toko", team=team, allowed_origins=SHOP)
    client = Client()
    client.force_login(agent)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _ticket_of_visitor(tokens: list[str]) -> dict[int, int]:
    """ticket id -> visitor index, read back from the tokens' hashes."""
    from sigap.chat.models import ChatConversation

    index = {hashlib.sha256(t.encode()).hexdigest(): n for n, t in enumerate(tokens)}
    rows = ChatConversation.objects.filter(visitor__token_hash__in=index).values_list(
        "ticket_id", "visitor__token_hash"
    )
    return {ticket: index[token_hash] for ticket, token_hash in rows}


def _cpu_seconds(pid: int) -> float:
    """CPU time the server process has used (Linux): a figure other load on the machine
    disturbs far less than latency, so runs on a busy machine can still be compared."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Visitor:
    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.sent_at = 0.0
        self.token = ""

    async def say(self, body: str) -> float:
        """Send one message; the milliseconds until its echo comes back."""
        import json

        self.sent_at = time.perf_counter()
        await self.socket.send(json.dumps({"type": "message", "body": body}))
        while True:
            frame = json.loads(await self.socket.recv())
            if frame["type"] == "message":
                return (time.perf_counter() - self.sent_at) * 1000
            if frame["type"] == "error":
                raise SystemExit(f"refused: {frame['message']}")


def _agent_latencies(
    heard: dict[int, list[float]], owners: dict[int, int], crowd: list[Visitor]
) -> list[float]:
    """For each ticket, ms from its visitor's send to the first notice after it."""
    latencies = []
    for ticket, times in heard.items():
        if ticket not in owners:
            continue
        sent_at = crowd[owners[ticket]].sent_at
        after = [moment for moment in times if moment >= sent_at]
        if after:
            latencies.append((min(after) - sent_at) * 1000)
    return latencies


async def _paced(
    server: int,
    crowd: list[Visitor],
    owners: dict[int, int],
    heard: dict[int, list[float]],
    rate: float,
    seconds: float,
) -> None:
    """Visitors writing at a human pace: `rate` messages a second in all, each from a random
    visitor not already waiting for an echo, for `seconds`."""
    import random

    heard.clear()
    echoes: list[float] = []
    busy: set[int] = set()
    tasks = []

    async def one(number: int) -> None:
        busy.add(number)
        echoes.append(await crowd[number].say(f"Pesan santai dari pengunjung {number}"))
        busy.discard(number)

    random.seed(20261123)
    cpu = _cpu_seconds(server)
    began = time.perf_counter()
    sent = 0
    while time.perf_counter() - began < seconds:
        idle = [n for n in range(len(crowd)) if n not in busy]
        if idle:
            tasks.append(asyncio.create_task(one(random.choice(idle))))
            sent += 1
        await asyncio.sleep(random.expovariate(rate))
    await asyncio.gather(*tasks)
    await asyncio.sleep(0.5)
    cpu = _cpu_seconds(server) - cpu
    to_agent = _agent_latencies(heard, owners, crowd)
    say(
        f"{'paced':>15}: {sent / seconds:6.0f} msg/s offered | echo p50 "
        f"{percentile(echoes, 0.5):5.0f} ms p99 {percentile(echoes, 0.99):5.0f} ms | "
        f"agent socket p50 {percentile(to_agent or [0], 0.5):5.0f} ms p99 "
        f"{percentile(to_agent or [0], 0.99):5.0f} ms ({len(to_agent)} tickets heard) | "
        f"server CPU {cpu * 1000 / max(sent, 1):4.1f} ms/msg"
    )


async def _bench(
    server: int, port: int, cookie: str, visitors: int, rounds: int, rate: float, seconds: float
) -> None:
    import json

    from asgiref.sync import sync_to_async
    from websockets.asyncio.client import connect

    url = f"ws://127.0.0.1:{port}"
    say("load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    agent = await connect(
        f"{url}/ws/inbox/",
        additional_headers={"Origin": f"http://127.0.0.1:{port}", "Cookie": cookie},
    )
    started = time.perf_counter()
    crowd: list[Visitor] = []
    for _ in range(visitors):
        visitor = Visitor(await connect(f"{url}/ws/public/chat/toko/", origin=SHOP))  # type: ignore[arg-type]
        await visitor.socket.send(json.dumps({"type": "hello", "language": "id"}))
        visitor.token = json.loads(await visitor.socket.recv())["token"]
        crowd.append(visitor)
    say(f"{visitors} visitors connected and greeted in {time.perf_counter() - started:.1f}s")

    heard: dict[int, list[float]] = {}

    async def listen() -> None:
        while True:
            notice = json.loads(await agent.recv())
            heard.setdefault(notice["ticket"], []).append(time.perf_counter())

    def agent_still_listening() -> None:
        # A closed inbox shows as "0 heard"; say why, as the agent's browser would have lost it.
        if listener.done() and not listener.cancelled():
            say(f"the agent's inbox socket closed: {listener.exception()!r}")

    listener = asyncio.create_task(listen())
    owners: dict[int, int] = {}
    for number in range(rounds):
        heard.clear()
        cpu = _cpu_seconds(server)
        began = time.perf_counter()
        echoes = await asyncio.gather(
            *(v.say(f"Pesan {number} dari pengunjung {n}") for n, v in enumerate(crowd))
        )
        took = time.perf_counter() - began
        await asyncio.sleep(0.5)  # the last notices on their way to the agent
        cpu = _cpu_seconds(server) - cpu
        if not owners:
            owners = await sync_to_async(_ticket_of_visitor)([v.token for v in crowd])
        to_agent = [
            (
                min(t for t in times if t >= crowd[owners[ticket]].sent_at)
                - crowd[owners[ticket]].sent_at
            )
            * 1000
            for ticket, times in heard.items()
            if ticket in owners and any(t >= crowd[owners[ticket]].sent_at for t in times)
        ]
        label = "opening tickets" if number == 0 else f"round {number}"
        say(
            f"{label:>15}: {visitors / took:6.0f} msg/s stored | echo p50 "
            f"{percentile(echoes, 0.5):5.0f} ms p99 {percentile(echoes, 0.99):5.0f} ms | "
            f"agent socket p50 {percentile(to_agent or [0], 0.5):5.0f} ms p99 "
            f"{percentile(to_agent or [0], 0.99):5.0f} ms ({len(to_agent)}/{visitors} heard) | "
            f"server CPU {cpu * 1000 / visitors:4.1f} ms/msg"
        )
        agent_still_listening()
    await _paced(server, crowd, owners, heard, rate, seconds)
    agent_still_listening()
    listener.cancel()
    for visitor in crowd:
        await visitor.socket.close()
    await agent.close()
    say(f"budget: p99 to the agent under {BUDGET_P99_MS:.0f} ms with {visitors} visitors connected")
    say("load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


def run(db: str, visitors: int, rounds: int, rate: float, seconds: float) -> None:
    work = Path(tempfile.mkdtemp(prefix="chat-bench-"))
    redis = os.environ.get("SIGAP_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    if db == "postgres":
        os.environ["SIGAP_REDIS_URL"] = redis
        import redis as redis_client

        redis_client.Redis.from_url(redis).flushdb()
    # Everyone writes from 127.0.0.1 here; the per-address limits are for the open internet.
    os.environ["SIGAP_CHAT_CONNECTIONS_PER_ADDRESS_PER_MINUTE"] = str(visitors * 2)
    os.environ["SIGAP_CHAT_MESSAGES_PER_ADDRESS_PER_MINUTE"] = str(
        visitors * (rounds + 1) + int(rate * seconds * 2)
    )
    title = f"chat on {db}: {visitors} visitors, {rounds} rounds"
    with _common.django_database(db, "sigap_chat_bench", title, keep=None):
        cookie = _seed()
        env = dict(os.environ)
        env["SIGAP_LOG_LEVEL"] = "WARNING"
        port = _common.free_port()
        server = _common.serve(env, port, work / "serve.log")
        try:
            asyncio.run(_bench(server.pid, port, cookie, visitors, rounds, rate, seconds))
        finally:
            _common.stop([server])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rate", type=float, default=25.0, help="paced messages per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to pace")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    args = parser.parse_args()
    if args.db == "both":
        forwarded = [
            *("--visitors", str(args.visitors), "--rounds", str(args.rounds)),
            *("--rate", str(args.rate), "--seconds", str(args.seconds)),
        ]
        _common.each_database(__file__, forwarded)
        return
    run(args.db, args.visitors, args.rounds, args.rate, args.seconds)


if __name__ == "__main__":
    main()
