"""Mixed load: agents, chat visitors and mail at once for minutes; then nothing lost or doubled.

    .venv/bin/python bench/load.py [--seconds 300] [--agents 20] [--visitors 100]
                                   [--mail-rate 0.2] [--db sqlite|postgres|both]

SQLite: one `sigap serve` with its in-process job runner. PostgreSQL: two `sigap serve
--no-workers` nodes on two ports sharing the database and a Redis channel layer, two `sigap
worker` processes and one `sigap beat`. Everything listens on 127.0.0.1; outgoing mail goes to
an SMTP sink in this process, so replies and alerts are really sent and counted.

At the same time, for --seconds:

- agents (spread over the nodes) hold their inbox socket open, load the inbox, open a ticket
  from it and reply to it, each with a think time between steps;
- chat visitors (spread over the nodes) write from a shop's origin at a human pace and wait
  for the echo; an agent on the other node must hear of each message (that is Redis's work);
- mail arrives at a steady rate through `sigap ingest-email` (an MTA's pipe), a few at a time.

Then it lets the workers drain (until no job, timer or SOP step is due, or --drain seconds),
stops every process and checks with SQL that every visitor message, mail and reply is stored
exactly once, every reply was sent exactly once (SMTP sink or the visitor's socket), no
timeline event is doubled and every due response-time timer and SOP step alert fired exactly
once. Figures never fail it; a FAILed check makes the exit code 1. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import email
import email.policy
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import _common
from _common import percentile, say

SHOP = "http://toko.example"
TEAM = "retail"
MAILBOX = "toko"
# Customers write from here; agents (and so alert mail) are at the desk's domain.
CUSTOMER_DOMAIN = "pelanggan.example"
DESK_DOMAIN = "desk.example"
# A message tag makes every visitor message, mail and reply findable in the database.
VISITOR_TAG = re.compile(r"\[lv-\d+-\d+\]")
REPLY_TAG = re.compile(r"\[lr-\d+-\d+\]")
ECHO_TIMEOUT = 30.0
# Sockets this long without a frame after the drain: nothing more is on its way.
QUIET_SECONDS = 10.0
# As a browser: no pings of its own (the server pings), patient while a socket opens.
BROWSER_SOCKET: dict[str, Any] = {"ping_interval": None, "open_timeout": 60}
# An MTA keeps a message it was told to retry (EX_TEMPFAIL) and offers it again.
MAIL_TRIES = 4
EX_TEMPFAIL = 75
# A timer or step this much past due when the processes stop counts as never fired.
FIRE_GRACE = timedelta(seconds=5)


# ----------------------------------------------------------------------------- measuring


@dataclass
class Kind:
    samples: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


class Stats:
    """Per action kind: latencies in ms and error texts."""

    def __init__(self) -> None:
        self.kinds: dict[str, Kind] = defaultdict(Kind)

    def ok(self, kind: str, ms: float) -> None:
        self.kinds[kind].samples.append(ms)

    def fail(self, kind: str, text: str) -> None:
        self.kinds[kind].errors[text[:160]] += 1

    async def timed(self, kind: str, call: Callable[[], Awaitable[Any]]) -> Any:
        began = time.perf_counter()
        try:
            result = await call()
        except Exception as error:
            self.fail(kind, f"{type(error).__name__}: {error}")
            return None
        self.ok(kind, (time.perf_counter() - began) * 1000)
        return result

    def print(self, seconds: float) -> None:
        columns = f"{'count':>7} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
        print(f"\n  {'action':<44} {columns}")
        for name, kind in self.kinds.items():
            count = len(kind.samples)
            p50 = f"{percentile(kind.samples, 0.5):8.0f}" if count else f"{'-':>8}"
            p99 = f"{percentile(kind.samples, 0.99):8.0f}" if count else f"{'-':>8}"
            errors = sum(kind.errors.values())
            print(f"  {name:<44} {count:7d} {count / seconds:7.2f} {p50} {p99} {errors:7d}")
            for text, times in kind.errors.most_common(3):
                print(f"  {'':<6}{times} × {text}")


@dataclass
class Sent:
    """What the load generator did, for the checks afterwards."""

    # visitor tag -> (sent at, node index)
    visitor_messages: dict[str, tuple[float, int]] = field(default_factory=dict)
    # visitor tag -> how many echoes came back on the visitor's socket
    echoes: Counter[str] = field(default_factory=Counter)
    # visitor -> how many of its messages the desk refused aloud (an error frame, which names
    # no message: it is counted per visitor)
    refusals: Counter[int] = field(default_factory=Counter)
    # visitors whose socket closed before the end, or never opened
    lost_sockets: set[int] = field(default_factory=set)
    # when any socket last received a frame (perf_counter)
    last_frame: float = 0.0
    # reply tag -> when the agent's POST came back
    replies: dict[str, float] = field(default_factory=dict)
    # reply tags whose POST failed or timed out: stored or not, either is honest
    replies_unsure: set[str] = field(default_factory=set)
    # message id of an agent reply -> its arrivals on visitors' sockets (perf_counter)
    chat_frames: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    # Message-ID -> ingest-email's exit code
    mails: dict[str, int] = field(default_factory=dict)
    # node index -> ticket -> notice arrival times on that node's agent sockets
    notices: dict[int, dict[int, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )


class Sink:
    """aiosmtpd handler keeping (arrival, recipients, subject, body) of every mail."""

    def __init__(self) -> None:
        self.mails: list[tuple[float, tuple[str, ...], str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""  # type: ignore[attr-defined]
        self.mails.append(
            (time.perf_counter(), tuple(envelope.rcpt_tos), str(parsed["Subject"]), text)
        )
        return "250 OK"


# ----------------------------------------------------------------------------- the desk


@dataclass
class Desk:
    cookies: list[str]
    session_cookie_name: str


def _seed(agents: int) -> Desk:
    """A team of agents with a chat widget and a piped mailbox; each agent's session."""
    from django.conf import settings
    from django.test import Client

    from sigap.accounts.models import Role
    from sigap.accounts.services import team_create, user_create
    from sigap.chat.models import ChatWidget
    from sigap.intake.models import Mailbox

    team = team_create(name="Pelanggan Retail", slug=TEAM)
    ChatWidget.objects.create(key="toko", name="Toko", team=team, allowed_origins=SHOP)
    Mailbox.objects.create(name=MAILBOX, team=team)
    # Alerts on unassigned tickets go to the team's supervisor: a mailbox to count them in.
    user_create(
        username="penyelia",
        email=f"penyelia@{DESK_DOMAIN}",
        password=None,
        role=Role.SUPERVISOR,
        teams=[team],
    )
    cookies = []
    for number in range(agents):
        agent = user_create(
            username=f"agen{number}",
            email=f"agen{number}@{DESK_DOMAIN}",
            password=None,
            role=Role.AGENT,
            teams=[team],
            first_name=f"Agen {number}",
        )
        client = Client()
        client.force_login(agent)
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return Desk(cookies, settings.SESSION_COOKIE_NAME)


# ----------------------------------------------------------------------------- the load


TICKET_LINK = re.compile(r'href="/tickets/(\d+)/"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when the run ends."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _agent(
    number: int,
    node: int,
    port: int,
    desk: Desk,
    think: float,
    stop: asyncio.Event,
    closing: asyncio.Event,
    stats: Stats,
    sent: Sent,
) -> None:
    import httpx
    from websockets.asyncio.client import connect

    base = f"http://127.0.0.1:{port}"
    session = {desk.session_cookie_name: desk.cookies[number]}
    socket = await stats.timed(
        "agent inbox socket (connect; drops)",
        lambda: connect(
            f"ws://127.0.0.1:{port}/ws/inbox/",
            additional_headers={
                "Origin": base,
                "Cookie": f"{desk.session_cookie_name}={desk.cookies[number]}",
            },
            **BROWSER_SOCKET,
        ),
    )

    async def listen() -> None:
        heard = sent.notices[node]
        try:
            async for raw in socket:
                notice = json.loads(raw)
                if notice.get("event") == "sla":
                    continue  # timers keep firing after the load stops
                sent.last_frame = time.perf_counter()
                if isinstance(notice.get("ticket"), int):
                    heard[notice["ticket"]].append(time.perf_counter())
        except Exception as error:
            if not stop.is_set():
                stats.fail("agent inbox socket (connect; drops)", f"closed: {error}")

    listener = asyncio.create_task(listen()) if socket is not None else None
    rng = random.Random(number)
    replied = 0
    async with httpx.AsyncClient(base_url=base, cookies=session, timeout=30) as client:
        await _pause(stop, rng.uniform(0, think))
        while not stop.is_set():
            inbox = await stats.timed("agent GET / (inbox)", lambda: _page(client, "/"))
            await _pause(stop, rng.expovariate(1 / think))
            tickets = TICKET_LINK.findall(inbox or "")
            if stop.is_set() or not tickets:
                continue
            ticket = rng.choice(sorted(set(tickets)))
            page = await stats.timed(
                "agent GET /tickets/N/", lambda t=ticket: _page(client, f"/tickets/{t}/")
            )
            await _pause(stop, rng.expovariate(1 / think))
            token = CSRF_FIELD.search(page or "")
            if stop.is_set() or token is None:
                continue
            replied += 1
            tag = f"[lr-{number}-{replied}]"
            body = f"Terima kasih, pesanan Anda kami cek sekarang. {tag}"
            began = time.perf_counter()
            try:
                answer = await client.post(
                    f"/tickets/{ticket}/reply/",
                    data={"body": body, "status": "", "csrfmiddlewaretoken": token.group(1)},
                )
            except httpx.HTTPError as error:
                sent.replies_unsure.add(tag)
                stats.fail("agent POST reply", f"{type(error).__name__}: {error}")
            else:
                if answer.status_code == 302:
                    sent.replies[tag] = time.perf_counter()
                    stats.ok("agent POST reply", (time.perf_counter() - began) * 1000)
                else:
                    sent.replies_unsure.add(tag)
                    stats.fail("agent POST reply", f"answered {answer.status_code}")
            await _pause(stop, rng.expovariate(1 / think))
    # Still listening through the drain: notices of the last messages are on their way.
    await closing.wait()
    if socket is not None:
        await socket.close()
    if listener is not None:
        listener.cancel()


async def _page(client: Any, path: str) -> str:
    answer = await client.get(path)
    if answer.status_code != 200:
        raise RuntimeError(f"{path} answered {answer.status_code}")
    return str(answer.text)


async def _visitor(
    number: int,
    port: int,
    think: float,
    stop: asyncio.Event,
    closing: asyncio.Event,
    stats: Stats,
    sent: Sent,
    node: int,
) -> None:
    from websockets.asyncio.client import connect

    rng = random.Random(1000 + number)
    await _pause(stop, rng.uniform(0, min(think, 10)))
    if stop.is_set():
        return
    began = time.perf_counter()
    try:
        socket = await connect(
            f"ws://127.0.0.1:{port}/ws/public/chat/toko/",
            origin=SHOP,  # type: ignore[arg-type]
            **BROWSER_SOCKET,
        )
        await socket.send(json.dumps({"type": "hello", "language": "id"}))
        welcome = json.loads(await asyncio.wait_for(socket.recv(), ECHO_TIMEOUT))
        if welcome.get("type") != "welcome":
            raise RuntimeError(f"no welcome: {welcome}")
    except Exception as error:
        stats.fail("visitor socket (connect + hello; drops)", f"{type(error).__name__}: {error}")
        sent.lost_sockets.add(number)
        return
    stats.ok("visitor socket (connect + hello; drops)", (time.perf_counter() - began) * 1000)
    waiting: dict[str, asyncio.Future[float]] = {}

    async def listen() -> None:
        try:
            async for raw in socket:
                frame = json.loads(raw)
                sent.last_frame = time.perf_counter()
                if frame.get("type") == "error":
                    stats.fail("visitor message (echo)", f"refused: {frame.get('message')}")
                    sent.refusals[number] += 1
                    # The visitor waits for one echo at a time: this is its answer.
                    for tag, future in list(waiting.items()):
                        waiting.pop(tag)
                        if not future.done():
                            future.set_result(-1.0)
                if frame.get("type") != "message":
                    continue
                message = frame["message"]
                if message["from"] == "agent":
                    sent.chat_frames[message["id"]].append(time.perf_counter())
                    continue
                found = VISITOR_TAG.search(message["body"])
                if found is None:
                    continue
                sent.echoes[found.group()] += 1
                future = waiting.pop(found.group(), None)
                if future is not None and not future.done():
                    future.set_result(time.perf_counter())
        except Exception as error:
            if not closing.is_set():
                stats.fail("visitor socket (connect + hello; drops)", f"closed: {error}")
        if not closing.is_set():
            sent.lost_sockets.add(number)

    listener = asyncio.create_task(listen())
    written = 0
    while not stop.is_set():
        await _pause(stop, rng.expovariate(1 / think))
        if stop.is_set():
            break
        written += 1
        tag = f"[lv-{number}-{written}]"
        echo: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        waiting[tag] = echo
        began = time.perf_counter()
        try:
            await socket.send(
                json.dumps({"type": "message", "body": f"Kak, pesanan saya kapan dikirim? {tag}"})
            )
        except Exception as error:
            stats.fail("visitor message (echo)", f"{type(error).__name__}: {error}")
            break
        sent.visitor_messages[tag] = (began, node)
        try:
            arrived = await asyncio.wait_for(echo, ECHO_TIMEOUT)
            if arrived > 0:
                stats.ok("visitor message (echo)", (arrived - began) * 1000)
        except TimeoutError:
            waiting.pop(tag, None)  # a later error frame is not about this one
            stats.fail("visitor message (echo)", f"no echo within {ECHO_TIMEOUT:.0f} s")
    # Stay connected through the drain: late replies must still arrive here.
    await closing.wait()
    await socket.close()
    listener.cancel()


def _mail(
    number: int, earlier: list[tuple[str, str, str]], rng: random.Random
) -> tuple[str, bytes]:
    """A customer's mail; one in three answers an earlier one (a reply on the same ticket)."""
    message_id = f"<load-{os.getpid()}-{number}@{CUSTOMER_DOMAIN}>"
    tag = f"[lm-{number}]"
    headers = [f"Message-ID: {message_id}", f"Date: {format_datetime(_now())}"]
    if earlier and number % 3 == 0:
        sender, subject, parent = rng.choice(earlier)
        subject = f"Re: {subject}"
        headers += [f"In-Reply-To: {parent}", f"References: {parent}"]
    else:
        sender = f"pelanggan{rng.randrange(300)}@{CUSTOMER_DOMAIN}"
        subject = f"Pesanan {number} belum datang"
        earlier.append((sender, subject, message_id))
    headers += [f"From: {sender}", f"To: {MAILBOX}@{DESK_DOMAIN}", f"Subject: {subject}"]
    headers.append("Content-Type: text/plain; charset=utf-8")
    body = f"Halo, pesanan saya belum sampai. Mohon dicek. {tag}"
    return message_id, ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def _mail_feed(
    rate: float,
    pool: int,
    env: dict[str, str],
    stop: asyncio.Event,
    stats: Stats,
    sent: Sent,
) -> None:
    """Mail at `rate` a second through `sigap ingest-email`, at most `pool` at once; each
    timed from its arrival, so time waiting for a free pipe counts."""
    if rate <= 0:
        return
    slots = asyncio.Semaphore(pool)
    rng = random.Random(7)
    earlier: list[tuple[str, str, str]] = []
    tasks = []

    async def ingest(message_id: str, raw: bytes) -> None:
        arrived = time.perf_counter()
        async with slots:
            for attempt in range(1, MAIL_TRIES + 1):
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "sigap",
                    "ingest-email",
                    "--mailbox",
                    MAILBOX,
                    env=env,
                    cwd=_common.ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
                _out, err = await process.communicate(raw)
                code = process.returncode or 0
                if code != EX_TEMPFAIL or attempt == MAIL_TRIES:
                    break
                stats.fail("mail retried by the MTA (EX_TEMPFAIL)", err.decode()[-160:])
                await asyncio.sleep(1)
        sent.mails[message_id] = code
        if code == 0:
            stats.ok("mail in (sigap ingest-email)", (time.perf_counter() - arrived) * 1000)
        else:
            stats.fail("mail in (sigap ingest-email)", f"exit {code}: {err.decode()[-160:]}")

    began = time.perf_counter()
    number = 0
    while not stop.is_set():
        number += 1
        message_id, raw = _mail(number, earlier, rng)
        tasks.append(asyncio.create_task(ingest(message_id, raw)))
        await _pause(stop, max(0.0, began + number / rate - time.perf_counter()))
    await asyncio.gather(*tasks)


async def _drain(limit: float, stats: Stats) -> float:
    """Wait until nothing is due (jobs, timers, SOP steps, queued replies); the seconds taken."""
    from asgiref.sync import sync_to_async

    began = time.perf_counter()
    quiet = 0
    while time.perf_counter() - began < limit:
        left = await sync_to_async(_due_now)()
        quiet = quiet + 1 if not left else 0
        if quiet >= 2:
            break
        await asyncio.sleep(1)
    else:
        stats.fail("drain", f"still due after {limit:.0f} s: {left}")
    return time.perf_counter() - began


def _due_now() -> dict[str, int]:
    from django.db import close_old_connections

    from sigap.core import clock
    from sigap.core.models import Job, JobStatus
    from sigap.sla.models import Timer
    from sigap.sops.models import StepState
    from sigap.tickets.models import DeliveryStatus, Message

    close_old_connections()
    cut = clock.now() - timedelta(seconds=2)
    left = {
        "jobs": Job.objects.filter(status=JobStatus.PENDING, due_at__lte=clock.now()).count(),
        "timers": Timer.objects.filter(fire_at__lte=cut).count(),
        "steps": StepState.objects.filter(alert_at__lte=cut).count(),
        "queued replies": Message.objects.filter(delivery_status=DeliveryStatus.QUEUED).count(),
    }
    return {name: count for name, count in left.items() if count}


async def _load(
    args: argparse.Namespace, ports: list[int], desk: Desk, env: dict[str, str]
) -> tuple[Stats, Sent, float, float]:
    stats, sent = Stats(), Sent()
    stop, closing = asyncio.Event(), asyncio.Event()
    nodes = len(ports)
    agents = [
        asyncio.create_task(
            _agent(
                n, n % nodes, ports[n % nodes], desk, args.agent_think, stop, closing, stats, sent
            )
        )
        for n in range(args.agents)
    ]
    visitors = [
        asyncio.create_task(
            _visitor(n, ports[n % nodes], args.visitor_think, stop, closing, stats, sent, n % nodes)
        )
        for n in range(args.visitors)
    ]
    mail = asyncio.create_task(_mail_feed(args.mail_rate, args.mail_pool, env, stop, stats, sent))
    began = time.perf_counter()
    shown = began
    while time.perf_counter() - began < args.seconds:
        await asyncio.sleep(1)
        if time.perf_counter() - shown >= 30:
            shown = time.perf_counter()
            one, five, _ = os.getloadavg()
            say(
                f"{shown - began:4.0f} s: {len(sent.visitor_messages)} visitor messages, "
                f"{len(sent.replies)} replies, {len(sent.mails)} mails; load {one:.1f} {five:.1f}"
            )
    stop.set()
    ran = time.perf_counter() - began
    await mail
    drained = await _drain(args.drain, stats)
    # Frames still on their way to the sockets (echoes, replies, notices): wait until
    # every socket has been quiet for a while.
    settle = time.perf_counter()
    while time.perf_counter() - sent.last_frame < QUIET_SECONDS:
        if time.perf_counter() - settle > args.drain:
            stats.fail("drain", f"sockets still receiving after {args.drain:.0f} s")
            break
        await asyncio.sleep(1)
    closing.set()
    await asyncio.gather(*agents, *visitors)
    return stats, sent, ran, drained


# ----------------------------------------------------------------------------- the checks


class Checks:
    def __init__(self) -> None:
        self.failed = 0

    def check(self, name: str, good: bool, counts: str) -> None:
        self.failed += not good
        print(f"  {'PASS' if good else 'FAIL'}  {name}: {counts}")


def _tags(pattern: re.Pattern[str], rows: Any) -> Counter[str]:
    found: Counter[str] = Counter()
    for (body,) in rows:
        match = pattern.search(body)
        if match:
            found[match.group()] += 1
    return found


def _doubles(counter: Counter[Any]) -> int:
    return sum(1 for count in counter.values() if count > 1)


def _visitor_of(tag: str) -> int:
    return int(tag[4:].split("-")[0])


def _visitor_of_ticket() -> dict[int, int]:
    """ticket -> the load visitor who wrote on it."""
    from sigap.tickets.models import Direction, Message

    found = {}
    rows = Message.objects.filter(direction=Direction.INBOUND, body_text__contains="[lv-")
    for body, ticket in rows.values_list("body_text", "ticket_id"):
        match = VISITOR_TAG.search(body)
        if match:
            found[ticket] = _visitor_of(match.group())
    return found


def _crossed(sent: Sent, nodes: int, stats: Stats) -> None:
    """Each visitor message: ms until an agent socket on the other node heard of its ticket."""
    from sigap.tickets.models import Direction, Message

    ticket_of = {}
    rows = Message.objects.filter(direction=Direction.INBOUND, body_text__contains="[lv-")
    for body, ticket in rows.values_list("body_text", "ticket_id"):
        match = VISITOR_TAG.search(body)
        if match:
            ticket_of[match.group()] = ticket
    label = (
        "visitor message → agent socket, other node"
        if nodes > 1
        else ("visitor message → agent socket")
    )
    for tag, (sent_at, node) in sent.visitor_messages.items():
        ticket = ticket_of.get(tag)
        if ticket is None:
            continue
        heard = sorted(sent.notices[(node + 1) % nodes].get(ticket, []))
        index = bisect.bisect_left(heard, sent_at)
        if index < len(heard):
            stats.ok(label, (heard[index] - sent_at) * 1000)
        else:
            stats.fail(label, "no agent heard of it")


def _check(sent: Sent, sink: Sink, stopped_at: Any, checks: Checks, stats: Stats) -> None:
    from django.db.models import Count

    from sigap.core.models import Job, JobStatus
    from sigap.intake.models import InboundEmail
    from sigap.sla.models import Timer, TimerKind
    from sigap.sops.models import StepState
    from sigap.tickets.events import EventKind
    from sigap.tickets.models import Channel, DeliveryStatus, Direction, Message, TicketEvent

    # Visitor messages. One sent on a socket that then closed may or may not have been stored
    # (the widget shows only what the desk echoed, and the history on reconnecting).
    stored = _tags(
        VISITOR_TAG,
        Message.objects.filter(direction=Direction.INBOUND, channel=Channel.CHAT)
        .filter(body_text__contains="[lv-")
        .values_list("body_text"),
    )
    sent_tags = set(sent.visitor_messages)
    echoed = {tag for tag in sent_tags if sent.echoes[tag]}
    steady = {tag for tag in sent_tags if _visitor_of(tag) not in sent.lost_sockets}
    # An echo means stored. On a socket that stayed open every message is either stored or
    # refused aloud: per visitor, sent = stored + refused.
    unstored_echoed = echoed - set(stored)
    unstored: Counter[int] = Counter(_visitor_of(tag) for tag in steady - set(stored))
    visitors = set(unstored) | set(sent.refusals)
    lost = sum(max(0, unstored[v] - sent.refusals[v]) for v in visitors)
    over = sum(max(0, sent.refusals[v] - unstored[v]) for v in visitors)
    checks.check(
        "every visitor message echoed, or sent on a socket that stayed open, is stored once",
        not unstored_echoed
        and not lost
        and not over
        and not _doubles(stored)
        and set(stored) <= sent_tags,
        f"{len(sent_tags)} sent, {len(echoed)} echoed, {len(steady)} on steady sockets, "
        f"{sum(sent.refusals.values())} refused aloud; {lost + len(unstored_echoed)} lost, "
        f"{over} refused but stored, {_doubles(stored)} stored twice or more, "
        f"{len(set(stored) - sent_tags)} stored but never sent",
    )
    no_echo = {tag for tag in steady if tag in stored and not sent.echoes[tag]}
    twice = {tag for tag in sent_tags if sent.echoes[tag] > 1}
    checks.check(
        "every stored visitor message echoed exactly once on a steady socket",
        not no_echo and not twice,
        f"{len(steady & echoed) - len(twice)} once, {len(no_echo)} stored but never echoed, "
        f"{len(twice)} echoed twice or more",
    )
    shaky = sent_tags - steady
    print(
        f"  NOTE  {len(sent.lost_sockets)} visitor sockets closed early or never opened; "
        f"{len(shaky)} messages sent on them: {len(shaky & set(stored))} stored, "
        f"{len(shaky & echoed)} echoed"
    )

    # Mail.
    accepted = {mid for mid, code in sent.mails.items() if code == 0}
    rows = Counter(
        InboundEmail.objects.filter(message_id__in=list(sent.mails)).values_list(
            "message_id", flat=True
        )
    )
    statuses = Counter(
        InboundEmail.objects.filter(message_id__in=list(sent.mails)).values_list(
            "status", flat=True
        )
    )
    as_messages = Counter(
        Message.objects.filter(
            direction=Direction.INBOUND, external_id__in=list(sent.mails)
        ).values_list("external_id", flat=True)
    )
    lost = accepted - set(rows)
    unmade = {mid for mid in accepted if as_messages[mid] == 0}
    checks.check(
        "every mail ingested is stored exactly once",
        not lost and not _doubles(rows) and not _doubles(as_messages) and not unmade,
        f"{len(sent.mails)} offered, {len(accepted)} accepted (exit 0), "
        f"{len(set(rows) & accepted)} kept ({dict(statuses)}), {len(lost)} lost, "
        f"{_doubles(rows)} kept twice; {len(accepted) - len(unmade)} on a ticket, "
        f"{len(unmade)} with no message, {_doubles(as_messages)} with two or more",
    )

    # Agent replies and their delivery.
    replies = list(
        Message.objects.filter(
            direction=Direction.OUTBOUND, body_text__contains="[lr-"
        ).values_list("body_text", "id", "channel", "delivery_status")
    )
    stored_replies = _tags(REPLY_TAG, [(row[0],) for row in replies])
    chat_ticket = dict(
        Message.objects.filter(
            direction=Direction.OUTBOUND, body_text__contains="[lr-"
        ).values_list("id", "ticket_id")
    )
    wanted = set(sent.replies)
    missing = wanted - set(stored_replies)
    stray = set(stored_replies) - wanted - sent.replies_unsure
    checks.check(
        "every reply the desk confirmed is stored exactly once",
        not missing and not _doubles(stored_replies) and not stray,
        f"{len(wanted)} confirmed, {len(missing)} missing, {_doubles(stored_replies)} twice, "
        f"{len(set(stored_replies) & sent.replies_unsure)} of {len(sent.replies_unsure)} "
        f"unconfirmed stored, {len(stray)} never sent",
    )
    by_mail: Counter[str] = Counter()
    mail_arrivals: dict[str, float] = {}
    alerts: Counter[tuple[tuple[str, ...], str, str]] = Counter()
    for arrived, recipients, subject, body in sink.mails:
        match = REPLY_TAG.search(body)
        if match:
            by_mail[match.group()] += 1
            mail_arrivals.setdefault(match.group(), arrived)
        elif all(r.endswith(f"@{DESK_DOMAIN}") for r in recipients):
            alerts[(recipients, subject, body)] += 1
    statuses = Counter(status for *_, status in replies)
    email_sent = {
        REPLY_TAG.search(body).group(): pk  # type: ignore[union-attr]
        for body, pk, channel, status in replies
        if channel == Channel.EMAIL and status == DeliveryStatus.SENT
    }
    chat_sent = {
        REPLY_TAG.search(body).group(): pk  # type: ignore[union-attr]
        for body, pk, channel, status in replies
        if channel == Channel.CHAT and status == DeliveryStatus.SENT
    }
    not_mailed = [tag for tag in email_sent if by_mail[tag] == 0]
    twice_mailed = [tag for tag in email_sent if by_mail[tag] > 1]
    unsent_mailed = [tag for tag in by_mail if tag not in email_sent]
    checks.check(
        "every reply by mail reached the SMTP sink exactly once",
        not not_mailed and not twice_mailed and not unsent_mailed,
        f"{len(email_sent)} marked sent, {len(email_sent) - len(not_mailed)} received, "
        f"{len(not_mailed)} never arrived, {len(twice_mailed)} twice, "
        f"{len(unsent_mailed)} arrived but not marked sent",
    )
    # A reply to a visitor whose socket closed is read from the history on reconnecting.
    visitor_of = _visitor_of_ticket()
    steady_replies = {
        tag: pk
        for tag, pk in chat_sent.items()
        if visitor_of.get(chat_ticket[pk]) not in sent.lost_sockets
    }
    not_pushed = [tag for tag, pk in steady_replies.items() if not sent.chat_frames.get(pk)]
    twice_pushed = [tag for tag, pk in chat_sent.items() if len(sent.chat_frames.get(pk, [])) > 1]
    checks.check(
        "every chat reply reached its visitor's socket exactly once (steady sockets)",
        not not_pushed and not twice_pushed,
        f"{len(chat_sent)} marked sent, {len(steady_replies)} to steady sockets: "
        f"{len(steady_replies) - len(not_pushed)} received, {len(not_pushed)} never arrived; "
        f"{len(twice_pushed)} received twice or more",
    )
    checks.check(
        "no reply left queued or failed",
        set(statuses) <= {DeliveryStatus.SENT},
        ", ".join(f"{count} {status}" for status, count in statuses.items()) or "no replies",
    )
    for tag, arrived in mail_arrivals.items():
        if tag in sent.replies:
            stats.ok("reply → SMTP sink (after the POST)", (arrived - sent.replies[tag]) * 1000)
    for tag, pk in chat_sent.items():
        if tag in sent.replies and sent.chat_frames.get(pk):
            stats.ok(
                "reply → visitor socket (after the POST)",
                (sent.chat_frames[pk][0] - sent.replies[tag]) * 1000,
            )

    # Timeline events.
    doubled = (
        TicketEvent.objects.filter(message__isnull=False)
        .values("message_id", "kind")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    events = TicketEvent.objects.filter(
        message__isnull=False,
        kind__in=[EventKind.TICKET_CREATED, EventKind.MESSAGE_RECEIVED, EventKind.REPLY_SENT],
    )
    noted = Message.objects.filter(direction__in=[Direction.INBOUND, Direction.OUTBOUND])
    without = noted.exclude(pk__in=events.values("message_id")).count()
    checks.check(
        "one timeline event per message, none doubled",
        not doubled and not without,
        f"{noted.count()} messages, {without} without their event, "
        f"{doubled} (message, kind) pairs recorded twice or more",
    )

    # Timers.
    cut = stopped_at - FIRE_GRACE
    unfired = Timer.objects.exclude(kind=TimerKind.ESCALATION).filter(fire_at__lte=cut).count()
    fired: Counter[tuple[Any, ...]] = Counter(
        (ticket, kind, data.get("target"), data.get("due_at"))
        for ticket, kind, data in TicketEvent.objects.filter(
            kind__in=[EventKind.SLA_WARNED, EventKind.SLA_BREACHED]
        ).values_list("ticket_id", "kind", "data")
    )
    checks.check(
        "every due response-time timer fired exactly once",
        not unfired and not _doubles(fired),
        f"{sum(fired.values())} warnings and breaches fired, {unfired} due but unfired, "
        f"{_doubles(fired)} fired twice or more",
    )
    unfired = StepState.objects.filter(alert_at__lte=cut).count()
    fired = Counter(
        (ticket, kind, data.get("sop"), data.get("step"), data.get("due_at"))
        for ticket, kind, data in TicketEvent.objects.filter(
            kind__in=[EventKind.SOP_STEP_WARNED, EventKind.SOP_STEP_OVERDUE]
        ).values_list("ticket_id", "kind", "data")
    )
    checks.check(
        "every due SOP step alert fired exactly once",
        not unfired and not _doubles(fired),
        f"{sum(fired.values())} step warnings and overdues fired, {unfired} due but unfired, "
        f"{_doubles(fired)} fired twice or more",
    )
    jobs = Counter(
        Job.objects.filter(kind__in=["sla_alert_email", "sop_step_alert_email"]).values_list(
            "status", flat=True
        )
    )
    retried = Job.objects.filter(
        kind__in=["sla_alert_email", "sop_step_alert_email"], attempts__gt=1
    ).count()
    checks.check(
        "every alert mail job done once, each alert mail received once",
        set(jobs) <= {JobStatus.DONE} and not _doubles(alerts),
        f"jobs {dict(jobs)}, {retried} took more than one attempt; {sum(alerts.values())} "
        f"alert mails received, {_doubles(alerts)} received twice or more",
    )
    left = Counter(Job.objects.exclude(status=JobStatus.DONE).values_list("kind", "status"))
    checks.check(
        "no background job left pending or dead",
        not left,
        ", ".join(f"{count} {kind} {status}" for (kind, status), count in left.items())
        or f"{Job.objects.count()} jobs, all done",
    )


# ----------------------------------------------------------------------------- one run


def run(db: str, args: argparse.Namespace) -> int:
    from aiosmtpd.controller import Controller

    work = Path(tempfile.mkdtemp(prefix="load-bench-"))
    nodes = 2 if db == "postgres" else 1
    if db == "postgres":
        redis = os.environ.get("SIGAP_BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
        os.environ["SIGAP_REDIS_URL"] = redis
        os.environ["SIGAP_CHANNEL_PREFIX"] = f"load{os.getpid()}"
        import redis as redis_client

        redis_client.Redis.from_url(redis).flushdb()
    # Every visitor writes from 127.0.0.1 here; the per-address limits are for the internet.
    os.environ["SIGAP_CHAT_CONNECTIONS_PER_ADDRESS_PER_MINUTE"] = str(args.visitors * 4)
    os.environ["SIGAP_CHAT_MESSAGES_PER_ADDRESS_PER_MINUTE"] = str(args.visitors * 60)
    title = (
        f"mixed load on {db}: {args.agents} agents, {args.visitors} visitors, "
        f"{args.mail_rate:g} mail/s for {args.seconds:g} s; "
        + (
            "1 `sigap serve` with its job runner"
            if nodes == 1
            else "2 `sigap serve --no-workers` + 2 `sigap worker` + `sigap beat`, Redis"
        )
    )
    with _common.django_database(db, "sigap_load_bench", title):
        desk = _seed(args.agents)
        sink = Sink()
        smtp_port = _common.free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        env = {
            **os.environ,
            "SIGAP_LOG_LEVEL": "WARNING",
            "SIGAP_SMTP_HOST": "127.0.0.1",
            "SIGAP_SMTP_PORT": str(smtp_port),
            "SIGAP_FROM_EMAIL": f"toko@{DESK_DOMAIN}",
        }
        ports = [_common.free_port() for _ in range(nodes)]
        processes = []
        try:
            if nodes == 1:
                processes.append(_common.serve(env, ports[0], work / "serve.log", workers=True))
            else:
                for number, port in enumerate(ports, start=1):
                    processes.append(_common.serve(env, port, work / f"node{number}.log"))
                for number in (1, 2):
                    processes.append(
                        _common.sigap_start(
                            ["worker", "--concurrency=2", "--loglevel=WARNING"],
                            env,
                            work / f"worker{number}.log",
                        )
                    )
                processes.append(_common.sigap_start(["beat"], env, work / "beat.log"))
            say(f"{nodes} node(s) on ports {', '.join(map(str, ports))}; logs in {work}")
            one, five, _ = os.getloadavg()
            say(
                f"load average before: {one:.2f} (1 min) {five:.2f} (5 min), {os.cpu_count()} cores"
            )
            stats, sent, ran, drained = asyncio.run(_load(args, ports, desk, env))
            from sigap.core import clock

            stopped_at = clock.now()
            one, five, _ = os.getloadavg()
        finally:
            _common.stop(processes)
            controller.stop()
        say(
            f"ran {ran:.0f} s, drained in {drained:.0f} s; load average at the end: "
            f"{one:.2f} (1 min) {five:.2f} (5 min)"
        )
        from django.db import close_old_connections

        close_old_connections()
        checks = Checks()
        print("\n  checks (SQL against the database, after every process stopped):")
        _check(sent, sink, stopped_at, checks, stats)
        _crossed(sent, nodes, stats)
        stats.print(ran)
        print(
            f"\n  {len(sink.mails)} mails at the SMTP sink; "
            f"{'all checks passed' if not checks.failed else f'{checks.failed} checks FAILED'}"
        )
    return 1 if checks.failed else 0


def main() -> None:
    # bench/http.py would stand in for the standard library's `http` (httpx, aiosmtpd use it).
    _common.keep_standard_http()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--mail-rate", type=float, default=0.2, help="mails a second")
    parser.add_argument("--mail-pool", type=int, default=2, help="ingest-email pipes at once")
    parser.add_argument(
        "--agent-think", type=float, default=3.0, help="mean seconds between an agent's steps"
    )
    parser.add_argument(
        "--visitor-think",
        type=float,
        default=20.0,
        help="mean seconds between a visitor's messages",
    )
    parser.add_argument("--drain", type=float, default=120.0, help="longest wait for workers")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    args = parser.parse_args()
    if args.db == "both":
        forwarded = [
            *(
                f"--{name.replace('_', '-')}={value}"
                for name, value in vars(args).items()
                if name != "db"
            ),
        ]
        code = 0
        for db in ("sqlite", "postgres"):
            result = subprocess.run([sys.executable, __file__, *forwarded, "--db", db], check=False)
            if result.returncode not in (0, 1):
                sys.exit(result.returncode)
            code = max(code, result.returncode)
        sys.exit(code)
    sys.exit(run(args.db, args))


if __name__ == "__main__":
    main()
