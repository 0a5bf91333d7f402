"""KPIs at a million tickets over twelve months: the dashboard and the reports.

    .venv/bin/python bench/metrics.py [--tickets 1000000] [--db sqlite|postgres|both]

For each database it migrates a fresh one with Django and bulk-loads a year of tickets with
their figure rows (sigap.metrics.models.TicketFact, as the executor keeps them), satisfaction
and recommendation surveys (half of those sent answered), escalations and late or waived SOP
steps. Rows go in with executemany in one transaction (SQLite) or COPY (PostgreSQL), secondary
indexes built after. Then ANALYZE, and for the last full month and its last full week:

1. the KPIs of the whole desk, of one team, and of one channel (`kpis_compute`), p50 / p95;
2. the dashboard page as a manager loads it (`GET /metrics/`, template and charts' data);
3. each report: monthly and weekly, CSV and PDF, generated as `sigap report` does;
4. the first page of a drill-down (the backlog at the end of the month).

Budget: dashboard under 500 ms, monthly report under 2 s. Not a test: it prints figures and
never fails on them.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import _common
from _common import BulkLoader, say

REPEATS = 10
SEED = 20261123
DASHBOARD_BUDGET_MS = 500.0
MONTHLY_REPORT_BUDGET_MS = 2000.0
TEAMS = 4
AGENTS_PER_TEAM = 10
CHANNELS = ["email", "chat", "social", "phone", "walk_in"]
CHANNEL_WEIGHTS = [40, 25, 20, 10, 5]
JAKARTA = ZoneInfo("Asia/Jakarta")
Rows = list[dict[str, Any]]
TABLES = (
    "customers_customer",
    "tickets_ticket",
    "metrics_ticketfact",
    "metrics_stepissue",
    "feedback_survey",
    "sla_escalation",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="keep the databases (SQLite file in DIR, PostgreSQL database "
        "sigap_bench_metrics) and reuse them when already loaded: for tuning indexes",
    )
    parser.add_argument(
        "--parts", action="store_true", help="also time each query of the KPIs on its own"
    )
    args = parser.parse_args()
    if args.db == "both":
        forwarded = ["--tickets", str(args.tickets), "--repeats", str(args.repeats)]
        forwarded += ["--keep", args.keep] if args.keep else []
        forwarded += ["--parts"] if args.parts else []
        _common.each_database(__file__, forwarded)
        return
    _run(args)


def _run(args: argparse.Namespace) -> None:
    title = f"{args.db} — {args.tickets:,} tickets over 12 months"
    keep = Path(args.keep).resolve() / args.db if args.keep else None
    with _common.django_database(args.db, "sigap_bench_metrics", title, keep):
        from sigap.metrics.models import TicketFact

        if keep is not None and TicketFact.objects.exists():
            desk = _desk_found()
            say("reusing the kept database")
        else:
            # The last full month ends where the loaded year ends.
            desk = _load(args.tickets, datetime(2026, 11, 1, tzinfo=JAKARTA))
        _day_figures()
        _common.analyze()
        if args.parts:
            _measure_parts(desk, args.repeats)
        _measure(desk, args.repeats)


# ----------------------------------------------------------------------------- the rows


class Desk:
    def __init__(self) -> None:
        self.team_ids: list[int] = []
        self.agent_ids: list[list[int]] = []
        self.versions: list[tuple[int, int, list[str]]] = []  # sop id, version id, step ids
        self.manager_id = 0


def _day_figures() -> None:
    """Sum the loaded facts per day, as the executor keeps them: the whole year at once."""
    from sigap.metrics.models import DayFigures
    from sigap.metrics.rollup import day_figures_rebuild

    if DayFigures.objects.exists():
        return
    started = time.monotonic()
    rows = day_figures_rebuild()
    say(f"day figures: {rows:,} rows summed from the facts in {time.monotonic() - started:.1f}s")


def _desk_found() -> Desk:
    from sigap.accounts.models import Team, User

    desk = Desk()
    desk.team_ids = list(Team.objects.order_by("pk").values_list("pk", flat=True))
    desk.manager_id = User.objects.get(username="manajer").pk
    return desk


def _people_and_sops(desk: Desk) -> None:
    from sigap.accounts.models import Role, User
    from sigap.accounts.services import team_create, user_create
    from sigap.sops.services import sop_import, sop_publish

    for number in range(TEAMS):
        team = team_create(name=f"Tim {number + 1}", slug=f"tim-{number + 1}")
        desk.team_ids.append(team.pk)
        agents = User.objects.bulk_create(
            [
                User(username=f"agen-{number}-{n}", email=f"agen{number}{n}@desk.example")
                for n in range(AGENTS_PER_TEAM)
            ]
        )
        desk.agent_ids.append([a.pk for a in agents])
    manager = user_create(
        username="manajer",
        email="manajer@desk.example",
        password="bench-only-password-123",
        role=Role.MANAGER,
        teams=[],
    )
    desk.manager_id = manager.pk
    library = _common.ROOT / "sigap" / "sops" / "library"
    for path in sorted(Path(library).glob("*.yaml")):
        draft = sop_import(text=path.read_text(), by=None)
        version = sop_publish(version=draft, by=None, notes="Bench")
        steps = [step["id"] for step in version.document.get("steps", [])]
        desk.versions.append((version.sop_id, version.pk, steps or ["langkah"]))


def _load(count: int, end: datetime) -> Desk:
    desk = Desk()
    _people_and_sops(desk)
    start = end - timedelta(days=365)
    customers = max(1000, count // 4)
    started = time.monotonic()
    with BulkLoader(TABLES) as loader:
        loader.load("customers_customer", _customer_rows(customers, start), customers, "customers")
        loader.load("tickets_ticket", _ticket_rows(desk, count, customers, start), count, "tickets")
        loader.load(
            "metrics_ticketfact", _fact_rows(desk, count, customers, start), count, "figures"
        )
        loader.load(
            "feedback_survey", _survey_rows(desk, count, customers, start), count, "surveys"
        )
        loader.load(
            "sla_escalation", _escalation_rows(desk, count, customers, start), count, "escalations"
        )
        loader.load("metrics_stepissue", _issue_rows(desk, count, customers, start), count, "steps")
    say(f"loaded in {time.monotonic() - started:.0f}s")
    return desk


def _customer_rows(count: int, start: datetime) -> Iterator[dict[str, Any]]:
    for pk in range(1, count + 1):
        yield {
            "id": pk,
            "name": f"Pelanggan {pk}",
            "language": "id",
            "is_vip": False,
            "notes": "",
            "merged_into_id": None,
            "created_at": start,
            "updated_at": start,
        }


class _Ticket:
    """Everything about ticket `pk`, derived from its id alone so every table agrees."""

    def __init__(self, desk: Desk, pk: int, count: int, customers: int, start: datetime) -> None:
        rng = random.Random(pk * 7919 + SEED)
        self.pk = pk
        self.opened = start + timedelta(days=365) * ((pk - 1 + rng.random()) / count)
        self.channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        team = rng.randrange(TEAMS)
        self.team_id = desk.team_ids[team]
        self.agent_id = rng.choice(desk.agent_ids[team]) if rng.random() < 0.9 else None
        self.customer_id = rng.randint(1, customers)
        self.sop_id, self.version_id, self.steps = rng.choice(desk.versions)
        self.first_response = rng.expovariate(1 / 1800) if rng.random() < 0.97 else None
        self.responses = rng.randint(1, 4)
        self.resolution = rng.expovariate(1 / (30 * 3600))
        self.resolved = self.opened + timedelta(seconds=self.resolution)
        is_old = self.opened < start + timedelta(days=350)
        self.is_resolved = is_old or rng.random() < 0.6
        self.reopened = self.is_resolved and rng.random() < 0.08
        self.contacts = 1 if rng.random() < 0.7 else 2
        self.breached = 1 if rng.random() < 0.12 else 0
        self.steps_due = rng.randint(0, 5)
        self.late = self.steps_due > 0 and rng.random() < 0.1
        self.waived = rng.random() < 0.03
        self.csat = rng.randint(1, 5) if rng.random() < 0.3 else None
        self.nps = rng.randint(0, 10) if rng.random() < 0.1 else None
        self.survey_answered = rng.random() < 0.5
        self.escalated = rng.random() < 0.05


def _ticket_rows(
    desk: Desk, count: int, customers: int, start: datetime
) -> Iterator[dict[str, Any]]:
    for pk in range(1, count + 1):
        t = _Ticket(desk, pk, count, customers, start)
        yield {
            "id": pk,
            "subject": f"Pesanan #{pk} belum sampai",
            "customer_id": t.customer_id,
            "identity_id": None,
            "channel": t.channel,
            "status": "resolved" if t.is_resolved else "open",
            "priority": "normal",
            "category_id": None,
            "team_id": t.team_id,
            "assignee_id": t.agent_id,
            "language": "id",
            "created_by_id": None,
            "created_at": t.opened,
            "updated_at": t.resolved if t.is_resolved else t.opened,
            "first_response_at": None,
            "last_customer_message_at": t.opened,
            "last_agent_message_at": None,
            "resolved_at": t.resolved if t.is_resolved else None,
            "closed_at": None,
            "message_count": 1 + t.responses,
        }


def _local(at: datetime) -> date:
    return at.astimezone(JAKARTA).date()


def _fact_rows(desk: Desk, count: int, customers: int, start: datetime) -> Iterator[dict[str, Any]]:
    # Ids grow with opening time, so a customer's latest contact so far is their previous one.
    last_contact: dict[int, date] = {}
    for pk in range(1, count + 1):
        t = _Ticket(desk, pk, count, customers, start)
        previous = last_contact.get(t.customer_id)
        last_contact[t.customer_id] = _local(t.opened)
        yield {
            "ticket_id": pk,
            "channel": t.channel,
            "team_id": t.team_id,
            "agent_id": t.agent_id,
            "customer_id": t.customer_id,
            "sop_id": t.sop_id,
            "sop_version_id": t.version_id,
            "opened_at": t.opened,
            "opened_on": _local(t.opened),
            "previous_contact_on": previous,
            "first_response_seconds": t.first_response,
            "response_count": t.responses,
            "response_seconds": t.responses * 2400.0,
            "first_resolved_at": t.resolved if t.is_resolved else None,
            "first_resolved_on": _local(t.resolved) if t.is_resolved else None,
            "closed_on": _local(t.resolved) if t.is_resolved else None,
            "resolution_seconds": t.resolution if t.is_resolved else None,
            "resolution_business_seconds": t.resolution / 3 if t.is_resolved else None,
            "contacts_before_resolution": t.contacts,
            "reopen_count": 1 if t.reopened else 0,
            "is_reopened_within_7_days": t.reopened,
            "is_first_contact_resolution": t.is_resolved and t.contacts == 1 and not t.reopened,
            "sla_met": 2 - t.breached,
            "sla_breached": t.breached,
            "steps_due": t.steps_due,
            "steps_on_time": t.steps_due - (1 if t.late else 0),
            "exceptions": 1 if t.waived else 0,
            "refreshed_at": t.opened,
        }


def _survey_rows(
    desk: Desk, count: int, customers: int, start: datetime
) -> Iterator[list[dict[str, Any]]]:
    pk = 0
    for ticket in range(1, count + 1):
        t = _Ticket(desk, ticket, count, customers, start)
        rows = []
        for kind, score in (("csat", t.csat), ("nps", t.nps)):
            if score is None or not t.is_resolved:
                continue
            pk += 1
            sent = t.resolved + timedelta(hours=2)
            rows.append(
                {
                    "id": pk,
                    "ticket_id": ticket,
                    "kind": kind,
                    "sent_at": sent,
                    "expires_at": sent + timedelta(days=14),
                    "score": score if t.survey_answered else None,
                    "comment": "",
                    "answered_at": sent + timedelta(hours=20) if t.survey_answered else None,
                }
            )
        yield rows


def _escalation_rows(
    desk: Desk, count: int, customers: int, start: datetime
) -> Iterator[list[dict[str, Any]]]:
    pk = 0
    for ticket in range(1, count + 1):
        t = _Ticket(desk, ticket, count, customers, start)
        if not t.escalated:
            yield []
            continue
        pk += 1
        level = 2 if ticket % 4 else 3
        yield [
            {
                "id": pk,
                "ticket_id": ticket,
                "level": level,
                "level_name": f"L{level}",
                "role": "supervisor" if level == 2 else "manager",
                "cause": "timer",
                "reason": "Batas waktu level terlewati",
                "by_id": None,
                "at": t.opened + timedelta(hours=4),
            }
        ]


def _issue_rows(
    desk: Desk, count: int, customers: int, start: datetime
) -> Iterator[list[dict[str, Any]]]:
    pk = 0
    for ticket in range(1, count + 1):
        t = _Ticket(desk, ticket, count, customers, start)
        rows = []
        for kind, happened in (("late", t.late), ("waived", t.waived)):
            if not happened:
                continue
            pk += 1
            rows.append(
                {
                    "id": pk,
                    "ticket_id": ticket,
                    "kind": kind,
                    "sop_version_id": t.version_id,
                    "step_id": t.steps[ticket % len(t.steps)],
                    "channel": t.channel,
                    "team_id": t.team_id,
                    "agent_id": t.agent_id,
                    "sop_id": t.sop_id,
                    "opened_on": _local(t.opened),
                }
            )
        yield rows


# ----------------------------------------------------------------------------- measuring


def _time(label: str, call: Callable[[], Any], repeats: int, budget: float | None = None) -> None:
    call()  # warm: the first call pays for imports and the database's cache
    runs = repeats if _once(call) < 1000 else min(repeats, 3)
    samples = _common.samples_ms(call, runs)
    p50, p95 = _common.percentile(samples, 0.5), _common.percentile(samples, 0.95)
    verdict = ""
    if budget is not None:
        verdict = "  within budget" if p95 <= budget else f"  OVER the {budget:.0f} ms budget"
    say(f"{label:<52} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms  ({runs} runs){verdict}")


def _once(call: Callable[[], Any]) -> float:
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def _measure_parts(desk: Desk, repeats: int) -> None:
    """Each query of `kpis_compute` on its own, to see where the time goes."""
    from sigap.metrics import kpis
    from sigap.metrics.periods import period_parse
    from sigap.metrics.slices import Slice

    month = period_parse("2026-10")
    for name, s in (
        ("whole desk", Slice(period=month)),
        ("one team", Slice(period=month, team_ids=(desk.team_ids[0],))),
        ("one channel", Slice(period=month, channel="chat")),
    ):
        for part in (
            "_opened_rows",
            "_resolved_rows",
            "_survey_rows",
            "_retention",
            "_backlog",
            "_escalations",
            "_steps",
        ):
            function = getattr(kpis, part)
            _time(f"{name}: {part.strip('_')}", lambda f=function, s=s: f(s), repeats)


def _measure(desk: Desk, repeats: int) -> None:
    from django.test import Client

    from sigap.accounts.models import User
    from sigap.metrics.drilldown import cohort_page
    from sigap.metrics.kpis import kpis_compute
    from sigap.metrics.models import TicketFact
    from sigap.metrics.periods import period_parse
    from sigap.metrics.reports import report_csv, report_pdf
    from sigap.metrics.slices import Slice

    month = period_parse("2026-10")
    week = period_parse("2026-W43")
    in_month = TicketFact.objects.filter(opened_on__gte=month.first, opened_on__lt=month.end)
    say(f"October 2026: {in_month.count():,} tickets opened")
    whole = Slice(period=month)
    team = Slice(period=month, team_ids=(desk.team_ids[0],))
    chat = Slice(period=month, channel="chat")
    _time("KPIs, whole desk, month", lambda: kpis_compute(whole), repeats, DASHBOARD_BUDGET_MS)
    _time("KPIs, one team, month", lambda: kpis_compute(team), repeats, DASHBOARD_BUDGET_MS)
    _time("KPIs, one channel, month", lambda: kpis_compute(chat), repeats, DASHBOARD_BUDGET_MS)
    _time("KPIs, whole desk, week", lambda: kpis_compute(Slice(period=week)), repeats)

    client = Client()
    client.force_login(User.objects.get(pk=desk.manager_id))

    def page(query: dict[str, str]) -> None:
        response = client.get("/metrics/", query)
        assert response.status_code == 200, response.status_code

    _time(
        "dashboard page GET /metrics/ (month)",
        lambda: page({"period": "2026-10"}),
        repeats,
        DASHBOARD_BUDGET_MS,
    )
    _time(
        "dashboard page, one team",
        lambda: page({"period": "2026-10", "team": str(desk.team_ids[0])}),
        repeats,
        DASHBOARD_BUDGET_MS,
    )
    for label, period, budget in (
        ("monthly", month, MONTHLY_REPORT_BUDGET_MS),
        ("weekly", week, None),
    ):
        s = Slice(period=period)
        _time(f"{label} report, CSV", lambda s=s: report_csv(kpis_compute(s)), repeats, budget)
        _time(f"{label} report, PDF", lambda s=s: report_pdf(kpis_compute(s)), repeats, budget)
    _time(
        "drill-down: first page of October's backlog",
        lambda: list(cohort_page(whole, "backlog", cursor=None).items),
        repeats,
    )
    # The figures are the loaded rows' own: the dashboard counted every October ticket.
    assert kpis_compute(whole).values["tickets_opened"] == in_month.count()


if __name__ == "__main__":
    main()
