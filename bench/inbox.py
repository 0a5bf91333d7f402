"""The inbox at a million tickets: load a big desk, then time the real request paths.

    .venv/bin/python bench/inbox.py [--tickets 1000000] [--db sqlite|postgres|both]

For each database it migrates a fresh one with Django, bulk-loads tickets with their messages
and timeline events (executemany in big transactions for SQLite, COPY for PostgreSQL, indexes
built after the rows are in), runs ANALYZE, and then times each inbox case 50 times through
the selector (sigap.tickets.selectors.inbox_page), the web inbox (`/`) and the API
(`/api/tickets`) with Django's test client: p50 and p95 server time, and queries per request.
Each case's ticket query is then explained (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE).

Not a test: it prints figures and never fails on them. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _common
from _common import BulkLoader, Progress, say

# The database kept by --keep; a run without it gets its own, so runs side by side never meet.
PG_KEPT_DATABASE = "sigap_bench"
REPEATS = 50
BUDGET_MS = 50.0
SEED = 20261123

# The shape of the desk. Teams differ in size, as they do in real desks.
TEAM_WEIGHTS = [30, 20, 15, 10, 10, 6, 5, 4]
AGENTS_PER_TEAM = 15
CHANNELS = ["email", "chat", "social", "phone", "walk_in"]
CHANNEL_WEIGHTS = [40, 25, 20, 10, 5]
PRIORITIES = ["low", "normal", "high", "urgent"]
PRIORITY_WEIGHTS = [10, 70, 15, 5]
ACTIVE = ["new", "open", "pending_customer", "pending_internal"]
ACTIVE_WEIGHTS = [15, 40, 30, 15]
HISTORY_DAYS = 3 * 365
SUBJECTS = [
    "Barang rusak saat diterima",
    "Refund belum masuk",
    "Paket belum sampai",
    "Pertanyaan tentang garansi",
    "Tidak bisa login",
    "Salah kirim barang",
    "Item arrived damaged",
    "Where is my parcel?",
    "Refund not received",
    "Question about sizes",
    "Tagihan ganda di kartu kredit",
    "Kode OTP tidak masuk",
    "Ganti alamat pengiriman",
    "Voucher tidak bisa dipakai",
]
BODIES = [
    "Selamat siang, pesanan saya datang dalam keadaan rusak. Mohon bantuannya, terima kasih.",
    "Halo kak, paket saya belum sampai padahal sudah lewat estimasi. Resinya tidak bergerak.",
    "Terima kasih sudah menghubungi kami. Mohon maaf atas ketidaknyamanannya, kami cek dulu.",
    "Hello, I was charged twice for the same order. Could you look into it please?",
    "Thanks for the photos. We have confirmed the damage; a replacement ships tomorrow.",
    "Sudah dicek ke gudang, stok pengganti tersedia. Kirim besok pagi.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="keep the databases (SQLite file in DIR, PostgreSQL database sigap_bench) "
        "and reuse them when they are already loaded: for tuning indexes",
    )
    parser.add_argument("--explain", action="store_true", help="print every query plan in full")
    args = parser.parse_args()
    if args.db == "both":
        _common.each_database(__file__, _forward(args))
        return
    _run(args)


def _forward(args: argparse.Namespace) -> list[str]:
    forwarded = ["--tickets", str(args.tickets), "--repeats", str(args.repeats)]
    if args.keep:
        forwarded += ["--keep", args.keep]
    if args.explain:
        forwarded.append("--explain")
    return forwarded


# ----------------------------------------------------------------------------- setting up


def _run(args: argparse.Namespace) -> None:
    keep = Path(args.keep).resolve() if args.keep else None
    title = f"{args.db} — {args.tickets:,} tickets"
    with _common.django_database(args.db, PG_KEPT_DATABASE, title, keep):
        desk = _desk_load(args.tickets)
        _common.analyze()
        results = _measure(desk, args.repeats)
        _report(title, results, args.repeats, args.explain)


# ----------------------------------------------------------------------------- the desk


@dataclass
class Desk:
    tickets: int
    agent_id: int
    manager_id: int
    agent_team_id: int
    team_ids: list[int]
    reference_pk: int
    email_prefix: str
    loaded_now: datetime


def _desk_load(tickets: int) -> Desk:
    from sigap.accounts.models import Role
    from sigap.tickets.models import Ticket

    if Ticket.objects.exists():
        say("reusing the loaded database")
        return _desk_describe(tickets)
    from sigap.accounts.services import team_create, user_create
    from sigap.tickets.models import Category

    rng = random.Random(SEED)
    teams = [team_create(name=f"Tim {n + 1}", slug=f"tim-{n + 1}") for n in range(8)]
    agents_by_team: list[list[int]] = []
    for number, team in enumerate(teams):
        ids = []
        for n in range(AGENTS_PER_TEAM):
            user = user_create(
                username=f"agen{number + 1}-{n + 1}",
                email="",
                password=None,
                role=Role.AGENT,
                teams=[team],
                first_name=f"Agen {number + 1}.{n + 1}",
            )
            ids.append(user.pk)
        user_create(
            username=f"supervisor{number + 1}",
            email="",
            password=None,
            role=Role.SUPERVISOR,
            teams=[team],
        )
        agents_by_team.append(ids)
    user_create(username="manajer", email="", password=None, role=Role.MANAGER)
    for name in [
        "Barang rusak",
        "Refund",
        "Pengiriman",
        "Pertanyaan produk",
        "Akun",
        "Keluhan",
        "Tagihan",
        "Voucher",
        "Garansi",
        "Korporat",
        "Retur",
        "Lainnya",
    ]:
        Category.objects.create(name=name, slug=name.lower().replace(" ", "-"))
    category_ids = list(Category.objects.values_list("pk", flat=True))
    team_ids = [t.pk for t in teams]
    started = time.monotonic()
    with BulkLoader(TABLES) as loader:
        customers = max(1000, tickets // 4)
        loader.load("customers_customer", _customer_rows(rng, customers), customers, "customers")
        loader.load(
            "customers_customeridentity", _identity_rows(rng, customers), customers, "identities"
        )
        _load_tickets(
            loader,
            _ticket_rows(rng, tickets, customers, team_ids, agents_by_team, category_ids),
            tickets,
        )
    say(f"loaded in {time.monotonic() - started:.0f}s")
    return _desk_describe(tickets)


def _desk_describe(tickets: int) -> Desk:
    from sigap.accounts.models import Team, User
    from sigap.customers.models import CustomerIdentity
    from sigap.tickets.models import Ticket

    # The agent of a mid-sized team (10% of the tickets): the common case, and not the easy
    # one, since most of the desk is invisible to them.
    team = Team.objects.get(slug="tim-4")
    agent = User.objects.get(username="agen4-1")
    manager = User.objects.get(username="manajer")
    # The team's 1,001st ticket, or its last on a desk too small to have one.
    pks = list(Ticket.objects.filter(team=team).order_by("pk").values_list("pk", flat=True)[:1001])
    email = (
        CustomerIdentity.objects.filter(kind="email")
        .order_by("pk")
        .values_list("value", flat=True)[500]
    )
    latest = Ticket.objects.order_by("-updated_at").values_list("updated_at", flat=True)[0]
    return Desk(
        tickets=tickets,
        agent_id=agent.pk,
        manager_id=manager.pk,
        agent_team_id=team.pk,
        team_ids=list(Team.objects.order_by("pk").values_list("pk", flat=True)),
        reference_pk=pks[-1],
        email_prefix=email.split("@")[0],
        loaded_now=latest,
    )


def _customer_rows(rng: random.Random, count: int) -> Iterator[dict[str, Any]]:
    first = ["Wulan", "Rizky", "Ayu", "Fajar", "Siti", "Bayu", "Nur", "Indra", "Emily", "James"]
    last = ["Santoso", "Wijaya", "Saputra", "Lestari", "Pratama", "Hidayat", "Tan", "Walker"]
    start = datetime.now(UTC) - timedelta(days=HISTORY_DAYS + 30)
    for pk in range(1, count + 1):
        yield {
            "id": pk,
            "name": f"{rng.choice(first)} {rng.choice(last)} {pk}",
            "language": "en" if rng.random() < 0.2 else "id",
            "is_vip": rng.random() < 0.02,
            "notes": "",
            "merged_into_id": None,
            "created_at": start,
            "updated_at": start,
        }


def _identity_rows(rng: random.Random, count: int) -> Iterator[list[dict[str, Any]]]:
    """Per customer: an email address, and for most a phone number."""
    start = datetime.now(UTC) - timedelta(days=HISTORY_DAYS + 30)
    pk = 0
    for customer in range(1, count + 1):
        pk += 1
        rows = [
            {
                "id": pk,
                "customer_id": customer,
                "kind": "email",
                "network": "",
                "value": f"pelanggan{customer}@mail{customer % 7}.example",
                "is_verified": False,
                "created_at": start,
            }
        ]
        if rng.random() < 0.6:
            pk += 1
            rows.append(
                {
                    "id": pk,
                    "customer_id": customer,
                    "kind": "phone",
                    "network": "",
                    "value": f"+62812{customer:08d}",
                    "is_verified": False,
                    "created_at": start,
                }
            )
        yield rows


@dataclass
class _Rows:
    ticket: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def _ticket_rows(
    rng: random.Random,
    count: int,
    customers: int,
    team_ids: list[int],
    agents_by_team: list[list[int]],
    category_ids: list[int],
) -> Iterator[_Rows]:
    """Tickets over three years, oldest first, so ids grow with time as they do in real life."""
    now = datetime.now(UTC)
    start = now - timedelta(days=HISTORY_DAYS)
    span = (now - start).total_seconds()
    message_pk = event_pk = 0
    team_choices = list(range(len(team_ids)))
    for index in range(count):
        pk = index + 1
        created = start + timedelta(seconds=span * (index + rng.random()) / count)
        age_days = (now - created).total_seconds() / 86400
        # Fresh tickets are mostly still moving; old ones are almost all closed.
        p_active = (
            0.85 if age_days < 1 else 0.45 if age_days < 7 else 0.1 if age_days < 30 else 0.004
        )
        team_index = rng.choices(team_choices, TEAM_WEIGHTS)[0]
        agents = agents_by_team[team_index]
        assignee: int | None = rng.choice(agents)
        resolved_at = closed_at = None
        if rng.random() < p_active:
            status = rng.choices(ACTIVE, ACTIVE_WEIGHTS)[0]
            updated = created + (now - created) * rng.random() ** 0.3
            if rng.random() < 0.2 or status == "new":
                assignee = None if rng.random() < 0.7 else assignee
        else:
            resolved_at = min(created + timedelta(hours=rng.expovariate(1 / 30)), now)
            closed_at = resolved_at + timedelta(days=rng.uniform(2, 7))
            if closed_at > now or (age_days < 14 and rng.random() < 0.4):
                status, closed_at, updated = "resolved", None, resolved_at
            else:
                status, updated = "closed", closed_at
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        customer = int(customers * rng.random() ** 2) + 1
        rows = _Rows(
            ticket={
                "id": pk,
                "subject": f"{rng.choice(SUBJECTS)} #{rng.randint(1000, 99999)}",
                "customer_id": customer,
                "identity_id": None,
                "channel": channel,
                "status": status,
                "priority": rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0],
                "category_id": rng.choice(category_ids) if rng.random() < 0.95 else None,
                "team_id": team_ids[team_index],
                "assignee_id": assignee,
                "language": "en" if rng.random() < 0.2 else "id",
                "created_by_id": assignee if channel in ("phone", "walk_in") else None,
                "created_at": created,
                "updated_at": updated,
                "first_response_at": None,
                "last_customer_message_at": created,
                "last_agent_message_at": None,
                "resolved_at": resolved_at,
                "closed_at": closed_at,
                "message_count": 0,
            }
        )
        event_pk += 1
        rows.events.append(_event(event_pk, pk, "ticket_created", None, customer, None, created))
        if assignee is not None:
            event_pk += 1
            rows.events.append(
                _event(
                    event_pk, pk, "assignee_changed", None, None, None, created, {"to": assignee}
                )
            )
        # Conversation: alternate customer and agent, now and then a note, until `updated`.
        messages = 1 + min(7, int(rng.expovariate(1 / 1.3)))
        step = (updated - created) / messages
        spoken = 0
        for number in range(messages):
            at = created + step * number
            message_pk += 1
            if number == 0 or (number % 2 == 0 and rng.random() > 0.1):
                direction, author_user, author_customer, kind = (
                    "in",
                    None,
                    customer,
                    "message_received",
                )
                rows.ticket["last_customer_message_at"] = at
            elif rng.random() < 0.1 or assignee is None:
                direction, author_user, author_customer, kind = "note", assignee, None, "note_added"
            else:
                direction, author_user, author_customer, kind = "out", assignee, None, "reply_sent"
                rows.ticket["first_response_at"] = rows.ticket["first_response_at"] or at
                rows.ticket["last_agent_message_at"] = at
            spoken += direction != "note"
            rows.messages.append(
                {
                    "id": message_pk,
                    "ticket_id": pk,
                    "direction": direction,
                    "channel": channel,
                    "author_user_id": author_user,
                    "author_customer_id": author_customer,
                    "body_text": rng.choice(BODIES),
                    "body_html": None,
                    "delivery_status": {"in": "received", "out": "sent", "note": "internal"}[
                        direction
                    ],
                    "external_id": "",
                    "created_at": at,
                }
            )
            if number > 0:
                event_pk += 1
                rows.events.append(
                    _event(event_pk, pk, kind, author_user, author_customer, message_pk, at)
                )
        rows.ticket["message_count"] = spoken
        for to, at in (("resolved", resolved_at), ("closed", closed_at)):
            if at is not None:
                event_pk += 1
                rows.events.append(
                    _event(event_pk, pk, "status_changed", assignee, None, None, at, {"to": to})
                )
        yield rows


def _event(
    pk: int,
    ticket: int,
    kind: str,
    user: int | None,
    customer: int | None,
    message: int | None,
    at: datetime,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "id": pk,
        "ticket_id": ticket,
        "kind": kind,
        "actor_user_id": user,
        "actor_customer_id": customer,
        "message_id": message,
        "data": json.dumps(data or {}),
        "created_at": at,
    }


TABLES = (
    "customers_customer",
    "customers_customeridentity",
    "tickets_ticket",
    "tickets_message",
    "tickets_ticketevent",
)


def _load_tickets(loader: BulkLoader, rows: Iterator[_Rows], total: int) -> None:
    """Tickets with their messages and events, the three tables flushed batch by batch."""
    progress = Progress("tickets, messages, events", total)
    tables: dict[str, list[dict[str, Any]]] = {
        "tickets_ticket": [],
        "tickets_message": [],
        "tickets_ticketevent": [],
    }
    messages = events = 0

    def flush() -> None:
        nonlocal messages, events
        messages += len(tables["tickets_message"])
        events += len(tables["tickets_ticketevent"])
        for table, batch in tables.items():
            loader.flush(table, batch)

    for done, row in enumerate(rows, start=1):
        tables["tickets_ticket"].append(row.ticket)
        tables["tickets_message"] += row.messages
        tables["tickets_ticketevent"] += row.events
        if len(tables["tickets_ticket"]) >= loader.BATCH // 2:
            flush()
            progress.show(done)
    flush()
    progress.done(total)
    say(f"{messages:,} messages, {events:,} events")


# ----------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Case:
    name: str
    persona: str  # "agent" or "manager"
    params: dict[str, str]
    deep: int = 0


def _cases(desk: Desk) -> list[Case]:
    from sigap.tickets.models import format_reference

    team = str(desk.agent_team_id)
    other_team = str(desk.team_ids[1])
    return [
        Case("first page, agent", "agent", {}),
        Case("first page, manager", "manager", {}),
        Case("mine, agent", "agent", {"view": "mine"}),
        Case("unassigned, agent", "agent", {"view": "unassigned"}),
        Case("deep page 200, agent, any status", "agent", {"status": "any"}, deep=200),
        Case("deep page 200, manager, active", "manager", {}, deep=200),
        Case("deep page 200, manager, closed", "manager", {"status": "closed"}, deep=200),
        Case(
            "filter team+status+channel+priority, agent",
            "agent",
            {"team": team, "status": "open", "channel": "email", "priority": "high"},
        ),
        Case(
            "filter team+closed+walk_in+urgent, manager",
            "manager",
            {"team": other_team, "status": "closed", "channel": "walk_in", "priority": "urgent"},
        ),
        Case(
            "search reference, agent",
            "agent",
            {"q": format_reference(desk.reference_pk), "status": "any"},
        ),
        Case("search email, manager", "manager", {"q": f"{desk.email_prefix}@", "status": "any"}),
        Case("search word (common), agent", "agent", {"q": "refund", "status": "any"}),
        Case("search word (no match), agent", "agent", {"q": "kulkas", "status": "any"}),
    ]


@dataclass
class Timing:
    p50: float
    p95: float
    queries: int
    runs: int


@dataclass
class Result:
    case: Case
    paths: dict[str, Timing | str]
    plan: list[str]
    plan_verdict: str
    rows_on_page: int


def _time(call: Callable[[], Any], repeats: int) -> Timing:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm: connection, caches, prepared plans
    # Counted as Django's tests count them: BEGIN and COMMIT included, which an execute
    # wrapper (`_common.sql_sent`) would not see.
    with CaptureQueriesContext(connection) as captured:
        call()
    queries = len(captured.captured_queries)
    first = time.perf_counter()
    call()
    took = time.perf_counter() - first
    # A case far over budget gets fewer runs: the figure is plain after ten.
    runs = repeats if took < 0.5 else min(repeats, 10)
    samples = _common.samples_ms(call, runs)
    p50, p95 = _common.percentile(samples, 0.5), _common.percentile(samples, 0.95)
    return Timing(p50, p95, queries, runs)


def _measure(desk: Desk, repeats: int) -> list[Result]:
    from django.test import Client

    from sigap.accounts.models import User
    from sigap.accounts.services import token_create
    from sigap.tickets.selectors import inbox_page, inbox_query_parse

    people = {"agent": desk.agent_id, "manager": desk.manager_id}
    web: dict[str, Client] = {}
    api_headers: dict[str, dict[str, str]] = {}
    for persona, pk in people.items():
        user = User.objects.get(pk=pk)
        web[persona] = Client()
        web[persona].force_login(user)
        api_headers[persona] = {"Authorization": f"Bearer {token_create(user=user).token}"}
    # Does each path exist in this checkout? Other parts of the desk are built alongside.
    has_web = web["agent"].get("/").status_code == 200
    has_api = Client().get("/api/tickets", headers=api_headers["agent"]).status_code == 200
    api = Client()

    results = []
    for case in _cases(desk):
        print(f"  {case.name} …", end="", flush=True)
        params = dict(case.params)
        if case.deep:
            user = User.objects.get(pk=people[case.persona])
            cursor = ""
            for _ in range(case.deep):
                page = inbox_page(user, inbox_query_parse({**params, "cursor": cursor}))
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            params["cursor"] = cursor

        def selector(persona: str = case.persona, params: dict[str, str] = params) -> int:
            # A fresh user, as each request loads one: permissions and teams are read again.
            user = User.objects.get(pk=people[persona])
            return len(inbox_page(user, inbox_query_parse(params)).items)

        paths: dict[str, Timing | str] = {"selector": _time(selector, repeats)}
        if has_web:
            client = web[case.persona]
            paths["web /"] = _time(lambda c=client, p=params: _ok(c.get("/", p)), repeats)
        else:
            paths["web /"] = "no route"
        if has_api:
            headers = api_headers[case.persona]
            paths["api /api/tickets"] = _time(
                lambda h=headers, p=params: _ok(api.get("/api/tickets", p, headers=h)), repeats
            )
        else:
            paths["api /api/tickets"] = "no route"
        plan, verdict = _explain(lambda p=params, persona=case.persona: selector(persona, p))
        rows = selector()
        results.append(Result(case, paths, plan, verdict, rows))
        timing = paths["selector"]
        assert isinstance(timing, Timing)
        print(f" selector p95 {timing.p95:.1f} ms", flush=True)
    return results


def _ok(response: Any) -> int:
    if response.status_code != 200:
        raise SystemExit(f"{response.request['PATH_INFO']} answered {response.status_code}")
    return len(response.content)


def _explain(call: Callable[[], Any]) -> tuple[list[str], str]:
    """Explain the ticket query the selector sent, with the very SQL and parameters."""
    from django.db import connection

    with _common.sql_sent() as sent:
        call()
    inbox = [(sql, params) for sql, params in sent if 'FROM "tickets_ticket"' in sql]
    if not inbox:
        return ["(no ticket query)"], "?"
    sql, params = inbox[-1]
    lines = _common.explain(sql, params, costs=False)
    if connection.vendor == "sqlite":
        return lines, _sqlite_verdict(lines)
    return lines, _pg_verdict(lines)


def _sqlite_verdict(lines: list[str]) -> str:
    if any(line.startswith("SCAN tickets_ticket") and "INDEX" not in line for line in lines):
        return "FULL SCAN of tickets"
    used = []
    for line in lines:
        # Subqueries name their table U0, U1 …
        if re.search(r"(SEARCH|SCAN) (tickets_ticket|U\d+)\b", line):
            found = re.search(r"USING (?:COVERING )?INDEX (\w+)|USING (INTEGER PRIMARY KEY)", line)
            name = (found.group(1) or "primary key") if found else line
            if name not in used:
                used.append(name)
    sort = " + sort" if any("TEMP B-TREE" in line for line in lines) else ""
    return ", ".join(used) + sort


def _pg_verdict(lines: list[str]) -> str:
    text = "\n".join(lines)
    if "Seq Scan on tickets_ticket" in text:
        return "FULL SCAN of tickets"
    used = []
    for name in re.findall(
        r"Scan(?: Backward)? using (\w+) on tickets_ticket|Index Scan on (\w+)", text
    ):
        index = next(part for part in name if part)
        if index not in used:
            used.append(index)
    for name in re.findall(r"Bitmap Index Scan on (\w+)", text):
        if name not in used:
            used.append(name)
    sort = " + sort" if re.search(r"->  Sort|^Sort", text, re.MULTILINE) else ""
    removed = sum(int(n) for n in re.findall(r"Rows Removed by Filter: (\d+)", text))
    return ", ".join(used) + sort + (f" ({removed:,} rows filtered out)" if removed else "")


def _report(title: str, results: list[Result], repeats: int, explain: bool) -> None:
    print(f"\n{title}: server time in ms over {repeats} requests (p50 / p95), queries per request")
    header = f"{'case':<44} {'selector':>18} {'web /':>18} {'api /api/tickets':>18}  plan"
    print(header)
    print("-" * len(header))
    over = []
    for result in results:
        cells = []
        for path in ("selector", "web /", "api /api/tickets"):
            timing = result.paths[path]
            if isinstance(timing, str):
                cells.append(f"{timing:>18}")
                continue
            mark = "!" if timing.p95 > BUDGET_MS else " "
            cells.append(f"{timing.p50:6.1f} /{timing.p95:6.1f}{mark} q{timing.queries:<2}")
            if timing.p95 > BUDGET_MS:
                over.append(f"{result.case.name} ({path}: p95 {timing.p95:.0f} ms)")
        print(f"{result.case.name:<44} {' '.join(cells)}  {result.plan_verdict}")
    if over:
        print(f"\nOver the {BUDGET_MS:.0f} ms budget: " + "; ".join(over))
    if explain:
        for result in results:
            print(f"\n--- {result.case.name} ({result.rows_on_page} rows on the page)")
            for line in result.plan:
                print(f"    {line}")


if __name__ == "__main__":
    main()
