"""Mail intake: emails per second from raw message to stored ticket, SOP run and timers included.

    .venv/bin/python bench/intake.py [--messages 2400] [--db sqlite|postgres|both] [--profile]

For each database, on a fresh migrated one with the bundled SOP library installed and a mailbox
of one team, every message goes through `email_ingest`, the function `sigap ingest-email` calls
for each mail an MTA pipes in, in this process (no process per message). The messages are the
test corpus in tests/fixtures/mail, twelve per round:

- eight new tickets: plain UTF-8, Windows-1252 base64, ISO-8859-1 quoted-printable, HTML only
  (sanitised, with a script), a photo attachment, three attachments of which two are refused, a
  Reply-To that differs, and a stranger quoting someone else's ticket number;
- two replies threaded onto the first ticket of the round: one by its References header, one by
  the ticket number in its subject;
- an out-of-office auto-reply and a delivery-status bounce (recorded, no ticket).

Every round rewrites the addresses and Message-IDs in the headers, so each new ticket comes
from a sender of its own (not a "repeat customer", whom the standard policy escalates) and every
message is new. Afterwards a tenth of the messages is delivered again (an MTA retrying), and the
rows are counted: every message must be stored exactly once. Then the same number of messages
once more, committed 20 at a time as the IMAP poller commits each batch it fetches.

Prints messages/s (new tickets, threaded replies, automatic mail, all together), queries per
message, messages per CPU-second of this process, the CPU the PostgreSQL server spent per
message (when it runs on this machine), the check, and the plans of intake's own lookups.
With --profile, the busiest functions of a cProfile run over one more batch of rounds
(SIGAP_BENCH_PROFILE_FILE=path also keeps the raw profile for pstats).

Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _common
from _common import say

MAIL = _common.ROOT / "tests" / "fixtures" / "mail"
WARM_ROUNDS = 5
BUDGET = 300  # messages per second on one process

# (fixture, kind): the order matters, the replies need the round's first ticket.
ROUND = [
    ("plain-utf8.eml", "new"),
    ("cp1252-base64.eml", "new"),
    ("latin1-qp.eml", "new"),
    ("html-only-script.eml", "new"),
    ("photo-attachment.eml", "new"),
    ("forbidden-attachments.eml", "new"),
    ("reply-to-differs.eml", "new"),
    ("reply-in-reply-to.eml", "reply"),
    ("reply-subject-reference.eml", "reply"),
    ("stranger-reference.eml", "new"),
    ("auto-replied.eml", "automatic"),
    ("dsn-bounce.eml", "automatic"),
]
KINDS = ("new", "reply", "automatic")

# local@domain in a header: an address or a Message-ID. The desk's own address stays.
_ADDRESS = re.compile(rb"([^\s<>@\",:;()]+)@([A-Za-z0-9.-]+)")
_OURS = b"cs@tokoku.example"
_BOUNDARY = re.compile(rb'boundary="?([^";\s]+)"?', re.I)


@dataclass
class Sample:
    kind: str
    wall: float
    cpu: float


def _rewrite(raw: bytes, round_number: int) -> bytes:
    """The message as sender number `round_number` would send it: every address and Message-ID
    in the header block made unique to the round, the same way in every fixture, so a reply's
    References still name the round's first message; MIME boundaries unique too, as a mail
    program makes them."""
    tag = b".r%d" % round_number
    for boundary in set(_BOUNDARY.findall(raw)):
        raw = raw.replace(boundary, boundary + tag)
    end = raw.find(b"\n\n")
    head, body = (raw[:end], raw[end:]) if end >= 0 else (raw, b"")

    def unique(found: re.Match[bytes]) -> bytes:
        if found.group(0).lower() == _OURS:
            return found.group(0)
        return found.group(1) + tag + b"@" + found.group(2)

    return _ADDRESS.sub(unique, head) + body


def run(db: str, messages: int, profile: bool) -> None:
    rounds = max(1, -(-messages // len(ROUND)))
    os.environ["SIGAP_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    with _common.django_database(db, "sigap_bench_intake", f"Mail intake on {db}"):
        from sigap.accounts.services import team_create
        from sigap.intake.models import InboundEmail, Mailbox
        from sigap.intake.services import email_ingest
        from sigap.routing.models import TeamRouting
        from sigap.sla.models import Timer
        from sigap.sops.models import SopRun
        from sigap.sops.services import sop_library_install
        from sigap.tickets.models import Attachment, Direction, Message, Ticket

        sop_library_install()
        team = team_create(name="Bench", slug="bench")
        # Measured here: taking the mail in. Nobody is online in this desk, so with routing on
        # every ticket would wait in the queue; bench/routing.py measures routing.
        TeamRouting.objects.update_or_create(team=team, defaults={"is_enabled": False})
        mailbox = Mailbox.objects.create(name="cs", team=team)
        corpus = [((MAIL / name).read_bytes(), kind) for name, kind in ROUND]
        queries: dict[str, list[int]] = defaultdict(list)
        statements: dict[str, list[tuple[str, Any]]] = {}

        def round_messages(number: int) -> list[bytes]:
            return [_rewrite(raw, number) for raw, _kind in corpus]

        def one_round(
            number: int,
            samples: list[Sample] | None = None,
            count: bool = False,
            after_each: Any = None,
            messages: list[bytes] | None = None,
        ) -> list[bytes]:
            """Take in the round's twelve messages (`messages`, rewritten beforehand so a timed
            round times intake alone; else rewritten here); return them as sent. `count`:
            record the SQL each sends (which slows it, so never in a timed round); `after_each`
            is called after every message."""
            sent: list[bytes] = []
            reference = ""
            rewritten = messages or round_messages(number)
            for raw, (_raw, kind), (name, _kind) in zip(rewritten, corpus, ROUND, strict=True):
                if reference:
                    raw = raw.replace(b"SGP-000000", reference.encode())
                if count:
                    with _common.sql_sent() as sql:
                        inbound = email_ingest(raw=raw, mailbox=mailbox)
                    queries[kind].append(len(sql))
                    statements[name] = sql
                else:
                    wall, cpu = time.perf_counter(), time.process_time()
                    inbound = email_ingest(raw=raw, mailbox=mailbox)
                    if samples is not None:
                        samples.append(
                            Sample(kind, time.perf_counter() - wall, time.process_time() - cpu)
                        )
                if not reference and inbound.ticket is not None:
                    reference = inbound.ticket.reference
                sent.append(raw)
                if after_each is not None:
                    after_each()
            return sent

        for number in range(WARM_ROUNDS):  # caches and the connection warm; not counted
            one_round(-1 - number)
        for raw in one_round(-100, count=True):
            with _common.sql_sent() as sql:
                # Delivered again: what a retrying MTA costs (and proves nothing is added).
                email_ingest(raw=raw, mailbox=mailbox)
            queries["again"].append(len(sql))
        before = {
            "inbound": InboundEmail.objects.count(),
            "tickets": Ticket.objects.count(),
            "messages": Message.objects.filter(direction=Direction.INBOUND).count(),
            "runs": SopRun.objects.count(),
            "timers": Timer.objects.count(),
            "attachments": Attachment.objects.count(),
        }

        samples: list[Sample] = []
        progress = _common.Progress("messages", rounds * len(ROUND))
        sent: list[bytes] = []
        prepared = [round_messages(number) for number in range(rounds)]
        server_started = _server_cpu()
        started, cpu_started = time.perf_counter(), time.process_time()
        for number in range(rounds):
            sent += one_round(number, samples, messages=prepared[number])
            progress.show(len(sent))
        took = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        progress.done(len(sent))
        server_cpu = _server_cpu()

        total = len(samples)
        say(
            f"all:       {total / took:6.0f} messages/s  ({total} in {took:.1f}s;"
            f" {total / cpu:.0f} per CPU-second of this process)"
        )
        for kind in KINDS:
            mine = [s for s in samples if s.kind == kind]
            wall = sum(s.wall for s in mine)
            cpu_kind = sum(s.cpu for s in mine)
            each = queries[kind]
            say(
                f"{kind + ':':10} {len(mine) / wall:6.0f} messages/s  ({len(mine)} in {wall:.1f}s;"
                f" {len(mine) / cpu_kind:.0f} per CPU-second; queries each"
                f" {min(each)}–{max(each)}, mean {sum(each) / len(each):.1f})"
            )
        if server_cpu is not None and server_started is not None:
            say(
                f"server:    {(server_cpu - server_started) / total * 1000:.2f} ms of the"
                f" database server's CPU per message, {cpu / total * 1000:.2f} ms of this"
                f" process's, {took / total * 1000:.2f} ms wall"
            )
        all_queries = [n for kind in KINDS for n in queries[kind]]
        new = sum(1 for s in samples if s.kind == "new")
        new_cpu = sum(s.cpu for s in samples if s.kind == "new")
        say(
            f"queries per message {sum(all_queries) / len(all_queries):.1f} on average;"
            f" new tickets per CPU-second {new / new_cpu:.0f}"
        )

        # Delivered again: a tenth of the messages, as an MTA retries after a lost answer.
        again = sent[::10]
        started = time.perf_counter()
        for raw in again:
            email_ingest(raw=raw, mailbox=mailbox)
        took_again = time.perf_counter() - started
        mean_again = sum(queries["again"]) / len(queries["again"])
        say(
            f"again:     {len(again) / took_again:6.0f} messages/s  ({len(again)} redelivered;"
            f" {mean_again:.1f} queries each)"
        )

        rate = total / took
        say(
            f"budget:    {'met' if rate >= BUDGET else 'NOT met'} — {rate:.0f} messages/s"
            f" against {BUDGET}/s, load average {os.getloadavg()[0]:.1f} on"
            f" {os.cpu_count()} CPUs"
        )
        _check(before, rounds)
        _batched(one_round, round_messages, rounds)
        _plans(statements["reply-in-reply-to.eml"])
        if profile:
            _profile(one_round, rounds)


def _server_cpu() -> float | None:
    """CPU seconds the PostgreSQL backend serving this process has used, when the server runs
    on this machine and its /proc entry is readable; None otherwise (and on SQLite, whose work
    is this process's own)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime, the 14th and 15th fields of the line, in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _batched(one_round: Any, round_messages: Any, rounds: int) -> None:
    """The same mail again, committed FETCH_BATCH messages at a time as the IMAP poller commits
    each batch it fetches: a commit waits for the disk once per batch instead of per mail."""
    from django.db import transaction

    from sigap.intake.imap import FETCH_BATCH

    taken = 0
    batch = transaction.atomic()

    def count_and_commit() -> None:
        nonlocal taken, batch
        taken += 1
        if taken % FETCH_BATCH == 0:
            batch.__exit__(None, None, None)
            batch = transaction.atomic()
            batch.__enter__()

    prepared = [round_messages(500_000 + number) for number in range(rounds)]
    started, cpu_started = time.perf_counter(), time.process_time()
    batch.__enter__()
    try:
        for number in range(rounds):
            one_round(500_000 + number, after_each=count_and_commit, messages=prepared[number])
    finally:
        batch.__exit__(*sys.exc_info())
    took = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    say(
        f"batched:   {taken / took:6.0f} messages/s  ({taken} in {took:.1f}s, {FETCH_BATCH} per"
        f" commit as the IMAP poller commits; {taken / cpu:.0f} per CPU-second)"
    )


def _plans(sql: list[tuple[str, Any]]) -> None:
    """How the database finds what intake looks up: the message already taken (dedupe on
    Message-ID), the same mail received at another mailbox and the messages a reply names (one
    question), the ticket a reply continues."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    lookups = [
        ("taken already, a copy, or the messages it answers", 'm."external_id" IN'),
        ("the ticket it names", 'FROM "tickets_ticket" WHERE'),
    ]
    for label, marker in lookups:
        found = [(text, params) for text, params in sql if marker in text]
        if not found:
            continue
        plan = _common.explain(*found[0], costs=False)
        steps = [line.strip() for line in plan if re.search(r"SCAN|SEARCH|Scan|Index", line)]
        say(f"plan, {label}: " + " | ".join(steps))


def _check(before: dict[str, int], rounds: int) -> None:
    """Count the rows the rounds added against what the corpus should have made."""
    from django.db.models import Count

    from sigap.intake.models import InboundEmail
    from sigap.sla.models import Timer
    from sigap.sops.models import SopRun
    from sigap.tickets.models import Attachment, Direction, Message, Ticket

    per_round = Counter(kind for _, kind in ROUND)
    rows = InboundEmail.objects.count() - before["inbound"]
    tickets = Ticket.objects.count() - before["tickets"]
    messages = Message.objects.filter(direction=Direction.INBOUND).count() - before["messages"]
    repeated = (
        InboundEmail.objects.values("message_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    stored_twice = (
        Message.objects.filter(direction=Direction.INBOUND)
        .exclude(external_id="")
        .values("external_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    statuses = Counter(InboundEmail.objects.values_list("status", flat=True).order_by())
    expected = {
        "rows": rounds * len(ROUND),
        "tickets": rounds * per_round["new"],
        "messages": rounds * (per_round["new"] + per_round["reply"]),
    }
    found = {"rows": rows, "tickets": tickets, "messages": messages}
    good = found == expected and repeated == 0 and stored_twice == 0
    good = good and statuses.get("quarantined", 0) == 0
    runs = SopRun.objects.count() - before["runs"]
    timers = Timer.objects.count() - before["timers"]
    attachments = Attachment.objects.count() - before["attachments"]
    say(
        f"check:     {'every message stored once' if good else 'MISMATCH'} —"
        f" {rows} inbound rows for {expected['rows']} messages, {tickets} tickets"
        f" (expected {expected['tickets']}), {messages} ticket messages"
        f" (expected {expected['messages']}), Message-IDs stored twice: {repeated}"
        f" inbound / {stored_twice} on tickets; quarantined: {statuses.get('quarantined', 0)}"
    )
    say(
        f"           {runs} SOP runs, {timers} timers, {attachments} attachments stored;"
        f" statuses of every row, warm-up included: {dict(sorted(statuses.items()))}"
    )


def _profile(one_round: Any, rounds: int) -> None:
    """cProfile over more rounds; prints the top functions by own time and by total time."""
    batch = max(20, rounds // 4)
    profiler = cProfile.Profile()
    profiler.enable()
    for number in range(batch):
        one_round(1_000_000 + number)
    profiler.disable()
    if os.environ.get("SIGAP_BENCH_PROFILE_FILE"):
        profiler.dump_stats(os.environ["SIGAP_BENCH_PROFILE_FILE"])
    for order, top in (("tottime", 25), ("cumulative", 45)):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(order).print_stats(top)
        say(f"profile, {batch} rounds, by {order}:")
        print(out.getvalue(), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2400)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.db == "both":
        forwarded = ["--messages", str(args.messages)] + (["--profile"] if args.profile else [])
        print(f"Mail intake, {args.messages} messages, one process, load {os.getloadavg()}")
        _common.each_database(__file__, forwarded)
        print(f"Budget: at least {BUDGET} messages/s on one process.")
        return
    run(args.db, args.messages, args.profile)


if __name__ == "__main__":
    sys.exit(main())
