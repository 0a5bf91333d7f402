"""Follow-ups and survey comments at scale: finding what is due, firing it, paging comments.

    .venv/bin/python bench/feedback.py [--tickets 1000000] [--due 2000] [--db sqlite|postgres|both]

For each database it migrates a fresh one with Django and bulk-loads resolved tickets, one
follow-up each (`--due` of them due now, a third scheduled for later, the rest done: check_at
NULL), and a CSAT survey on half of them, answered on most, with a comment on some. Then ANALYZE,
and:

1. "what is due": the executor's claim (`due_follow_ups`, 100 rows, locked as
   `follow_ups_fire_due` locks them) timed over repeated runs, p50 / p95, with its plan;
2. firing: `follow_ups_fire_due()` until nothing is due: follow-ups per second;
3. the staff comments page's query (`survey_comments`) for a manager: the newest page, a
   common word, and a word no comment holds (the worst case: the search reads every comment).

Not a test: it prints figures and never fails on them. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import _common
from _common import BulkLoader, say

REPEATS = 30
SEED = 20261124
TABLES = ("customers_customer", "tickets_ticket", "feedback_followup", "feedback_survey")
WORDS = ["cepat", "ramah", "terlambat", "kurir", "barang", "rusak", "puas", "lambat", "mantap"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=2_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args()
    if args.due > args.tickets:
        parser.error("--due cannot exceed --tickets")
    if args.db == "both":
        forwarded = ["--tickets", str(args.tickets), "--due", str(args.due)]
        _common.each_database(__file__, [*forwarded, "--repeats", str(args.repeats)])
        return
    _run(args)


def _run(args: argparse.Namespace) -> None:
    os.environ.pop("SIGAP_REDIS_URL", None)
    title = f"{args.db} — {args.tickets:,} resolved tickets, {args.due:,} follow-ups due"
    with _common.django_database(args.db, "sigap_bench_feedback", title):
        now = datetime.now(UTC)
        team_id = _load(args.tickets, args.due, now)
        _common.analyze()
        _find_due(now, args.repeats)
        _fire(args.due, now)
        _comments(team_id, args.repeats)


def _load(tickets: int, due: int, now: datetime) -> int:
    from sigap.accounts.services import team_create

    team = team_create(name="Tim Bench", slug="tim-bench")
    rng = random.Random(SEED)
    customers = max(1000, tickets // 4)
    overdue = set(rng.sample(range(1, tickets + 1), due))
    started = time.monotonic()
    with BulkLoader(TABLES) as loader:
        loader.load("customers_customer", _customers(customers, now), customers, "customers")
        loader.load(
            "tickets_ticket", _tickets(rng, tickets, customers, team.pk, now), tickets, "tickets"
        )
        loader.load("feedback_followup", _follow_ups(tickets, overdue, now), tickets, "follow-ups")
        loader.load("feedback_survey", _surveys(rng, tickets, now), tickets, "surveys")
    say(f"loaded in {time.monotonic() - started:.0f}s")
    from sigap.feedback.models import FollowUp, Survey

    say(
        f"follow-ups: {FollowUp.objects.count():,}, waiting to fire: "
        f"{FollowUp.objects.filter(check_at__isnull=False).count():,}, due now: "
        f"{FollowUp.objects.filter(check_at__lte=now).count():,}; surveys with a comment: "
        f"{Survey.objects.exclude(comment='').count():,}"
    )
    return int(team.pk)


def _resolved(pk: int, count: int, now: datetime) -> datetime:
    # Resolved over the last year, oldest first, so ids grow with time.
    return now - timedelta(days=365) + timedelta(days=365) * (pk / count)


def _customers(count: int, now: datetime) -> Iterator[dict[str, Any]]:
    for pk in range(1, count + 1):
        yield {
            "id": pk,
            "name": f"Pelanggan {pk}",
            "language": "id",
            "is_vip": False,
            "notes": "",
            "merged_into_id": None,
            "created_at": now - timedelta(days=400),
            "updated_at": now - timedelta(days=400),
        }


def _tickets(
    rng: random.Random, count: int, customers: int, team_id: int, now: datetime
) -> Iterator[dict[str, Any]]:
    for pk in range(1, count + 1):
        resolved = _resolved(pk, count, now)
        yield {
            "id": pk,
            "subject": f"Paket rusak #{pk}",
            "customer_id": rng.randint(1, customers),
            "identity_id": None,
            "channel": "email",
            "status": "resolved",
            "priority": "normal",
            "category_id": None,
            "team_id": team_id,
            "assignee_id": None,
            "language": "id",
            "created_by_id": None,
            "created_at": resolved - timedelta(days=1),
            "updated_at": resolved,
            "first_response_at": resolved - timedelta(hours=20),
            "last_customer_message_at": resolved - timedelta(days=1),
            "last_agent_message_at": resolved,
            "resolved_at": resolved,
            "closed_at": None,
            "message_count": 2,
        }


def _follow_ups(count: int, overdue: set[int], now: datetime) -> Iterator[dict[str, Any]]:
    for pk in range(1, count + 1):
        resolved = _resolved(pk, count, now)
        if pk in overdue:
            state, check_at, due_at = "scheduled", now - timedelta(minutes=pk % 600), None
        elif pk % 3 == 0:
            state, check_at, due_at = "scheduled", now + timedelta(days=1 + pk % 3), None
        else:
            state, check_at, due_at = "done", None, resolved + timedelta(days=2)
        yield {
            "id": pk,
            "ticket_id": pk,
            "mode": "task",
            "state": state,
            "due_at": due_at or check_at,
            "check_at": check_at,
            "assignee_id": None,
            "created_at": resolved,
            "fired_at": None if state == "scheduled" else due_at,
            "result": "" if state == "scheduled" else "satisfied",
            "result_at": None if state == "scheduled" else due_at,
            "result_by_id": None,
            "note": "",
        }


def _surveys(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    for pk in range(1, count + 1, 2):
        sent = _resolved(pk, count, now) + timedelta(hours=1)
        answered = rng.random() < 0.6
        comment = " ".join(rng.sample(WORDS, 3)) if answered and rng.random() < 0.4 else ""
        yield {
            "id": pk,
            "ticket_id": pk,
            "kind": "csat",
            "sent_at": sent,
            "expires_at": sent + timedelta(days=14),
            "score": rng.randint(1, 5) if answered else None,
            "comment": comment,
            "answered_at": sent + timedelta(hours=3) if answered else None,
            "channel": "email",
            "alerted_at": None,
            "thanked_at": None,
        }


def _timed(label: str, call: Callable[[], Any], repeats: int) -> None:
    samples = _common.samples_ms(call, repeats)
    p50 = _common.percentile(samples, 0.5)
    p95 = _common.percentile(samples, 0.95)
    say(f"{label}: p50 {p50:.2f} ms, p95 {p95:.2f} ms ({repeats} runs)")


def _find_due(now: datetime, repeats: int) -> None:
    from django.db import connection, transaction

    from sigap.feedback.followups import due_follow_ups

    def claim() -> int:
        with transaction.atomic():
            rows = due_follow_ups(now)
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True, of=("self",))
            return len(list(rows[:100]))

    print("1. what is due", flush=True)
    _timed("claim 100 due follow-ups", claim, repeats)
    sql, params = due_follow_ups(now)[:100].query.sql_with_params()
    for line in _common.explain(sql, params):
        say(f"plan: {line}")


def _fire(due: int, now: datetime) -> None:
    from sigap.feedback.followups import follow_ups_fire_due

    print("2. firing", flush=True)
    started = time.perf_counter()
    fired = 0
    while True:
        count = follow_ups_fire_due(now=now)
        if count == 0:
            break
        fired += count
    seconds = time.perf_counter() - started
    say(f"fired {fired:,} follow-ups in {seconds:.1f}s: {fired / seconds:,.0f} per second")


def _comments(team_id: int, repeats: int) -> None:
    from sigap.accounts.models import Role
    from sigap.accounts.services import user_create
    from sigap.feedback.selectors import survey_comments

    manager = user_create(
        username="bench-manager", email="", password=None, role=Role.MANAGER, teams=[]
    )
    print("3. survey comments (manager, 50 a page)", flush=True)
    _timed("newest page", lambda: survey_comments(manager).items, repeats)
    _timed("search 'terlambat'", lambda: survey_comments(manager, text="terlambat").items, repeats)
    _timed("low scores only", lambda: survey_comments(manager, low_only=True).items, repeats)
    rare = max(3, repeats // 10)
    _timed("search a word nobody wrote", lambda: survey_comments(manager, text="zzz").items, rare)


if __name__ == "__main__":
    main()
