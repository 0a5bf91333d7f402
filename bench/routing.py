"""Routing throughput: 200 online agents and 10,000 conversations waiting in the team queue.

    .venv/bin/python bench/routing.py [--agents 200] [--waiting 10000] [--db sqlite|postgres|both]

For each database it migrates a fresh one, makes one routed team of `--agents` online agents
(capacity enough for every waiting conversation between them) and `--waiting` conversations
waiting in the team queue, then:

1. hand-out: the executor's `queue_hand_out()` until the queue is empty, once per strategy
   (round-robin, then least-loaded on the same rows put back in the queue): assignments per
   second, each one a locked recount of the agent's load, the assignment, two timeline events;
2. at once: `route_ticket` on 500 new conversations opened while those 10,000 are assigned
   (the per-ticket cost of choosing among 200 agents whose loads are counted in SQL);
3. reopened: the customer writes again (`ticket_receive`) to 500 resolved conversations of a
   team that does not route, then of one that does: 500 whose agent is online with room
   (kept), then up to 500 whose agent went offline (routed again to one of the others): what
   checking, and choosing again, adds to a customer's message.

Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta

import _common
from _common import say

NEW_TICKETS = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--waiting", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    if args.db == "both":
        _common.each_database(
            __file__, ["--agents", str(args.agents), "--waiting", str(args.waiting)]
        )
        return
    os.environ.pop("SIGAP_REDIS_URL", None)
    title = f"{args.db} — {args.agents} online agents, {args.waiting:,} waiting conversations"
    with _common.django_database(args.db, "sigap_bench_routing", title):
        team_id, agent_ids = _people(args.agents, args.waiting)
        _waiting(team_id, args.waiting)
        _common.analyze()
        for strategy in ("round_robin", "least_loaded"):
            _hand_out(team_id, strategy, args.waiting, len(agent_ids))
            if strategy == "round_robin":
                _requeue(team_id)
        _route_new(team_id)
        _reopen(team_id)


def _people(agents: int, waiting: int) -> tuple[int, list[int]]:
    from django.contrib.auth.models import Group

    from sigap.accounts.models import Role, Team, User
    from sigap.accounts.roles import roles_sync
    from sigap.routing.models import AgentPresence, Presence, TeamRouting

    roles_sync()
    team = Team.objects.create(name="Tim Bench", slug="tim-bench")
    TeamRouting.objects.get_or_create(team=team)
    users = User.objects.bulk_create(
        User(username=f"agen{n}", first_name=f"Agen {n}", password="!") for n in range(agents)
    )
    team.members.add(*users)
    Group.objects.get(name=Role.AGENT).user_set.add(*users)
    now = datetime.now(UTC)
    room = -(-waiting // agents) + NEW_TICKETS // agents + 1
    AgentPresence.objects.bulk_create(
        AgentPresence(
            user=u, status=Presence.ONLINE, last_seen=now, other_capacity=room, chat_capacity=room
        )
        for u in users
    )
    return team.pk, [u.pk for u in users]


def _waiting(team_id: int, count: int) -> None:
    from sigap.customers.models import Customer
    from sigap.routing.models import QueueEntry
    from sigap.tickets.models import Ticket

    started = time.monotonic()
    now = datetime.now(UTC) - timedelta(hours=1)
    customer = Customer.objects.create(name="Pelanggan", created_at=now, updated_at=now)
    channels = ["email", "chat", "social", "email"]
    tickets = Ticket.objects.bulk_create(
        (
            Ticket(
                subject=f"Paket #{n}",
                customer=customer,
                channel=channels[n % len(channels)],
                team_id=team_id,
                language="id",
                created_at=now + timedelta(milliseconds=n),
                updated_at=now + timedelta(milliseconds=n),
                message_count=1,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    QueueEntry.objects.bulk_create(
        (
            QueueEntry(
                ticket=t, team_id=team_id, queued_at=t.created_at, channel=t.channel, language="id"
            )
            for t in tickets
        ),
        batch_size=2000,
    )
    say(f"{count:,} waiting conversations loaded in {time.monotonic() - started:.1f}s")


def _hand_out(team_id: int, strategy: str, waiting: int, agents: int) -> None:
    from django.db.models import Count

    from sigap.routing.models import QueueEntry, TeamRouting
    from sigap.routing.services import queue_hand_out
    from sigap.tickets.models import Ticket

    TeamRouting.objects.filter(team_id=team_id).update(strategy=strategy)
    began = time.perf_counter()
    given = 0
    passes = 0
    while QueueEntry.objects.exists():
        done = queue_hand_out()
        passes += 1
        given += done
        if done == 0:
            break
    took = time.perf_counter() - began
    loads = sorted(
        Ticket.objects.exclude(assignee=None)
        .values("assignee_id")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    spread = f"{loads[0]}–{loads[-1]}" if loads else "-"
    print(
        f"hand-out ({strategy}): {given:,} of {waiting:,} to {agents} agents in {took:.1f}s "
        f"= {given / took:,.0f} assignments/s ({passes} executor passes; per-agent load {spread})",
        flush=True,
    )


def _requeue(team_id: int) -> None:
    from sigap.routing.models import AgentPresence, QueueEntry
    from sigap.tickets.models import Ticket, TicketEvent

    tickets = list(Ticket.objects.filter(team_id=team_id))
    Ticket.objects.update(assignee=None)
    TicketEvent.objects.all().delete()
    AgentPresence.objects.update(routed_turn=0)
    QueueEntry.objects.bulk_create(
        (
            QueueEntry(
                ticket=t, team_id=team_id, queued_at=t.created_at, channel=t.channel, language="id"
            )
            for t in tickets
        ),
        batch_size=2000,
    )


def _route_new(team_id: int) -> None:
    from sigap.customers.models import Customer
    from sigap.routing.services import route_ticket
    from sigap.tickets.models import Ticket

    now = datetime.now(UTC)
    customer = Customer.objects.first()
    assert customer is not None
    fresh = Ticket.objects.bulk_create(
        Ticket(
            subject=f"Baru #{n}",
            customer=customer,
            channel="email",
            team_id=team_id,
            language="id",
            created_at=now,
            updated_at=now,
            message_count=1,
        )
        for n in range(NEW_TICKETS)
    )
    began = time.perf_counter()
    routed = sum(1 for ticket in fresh if route_ticket(ticket) is not None)
    took = time.perf_counter() - began
    per = took / len(fresh) * 1000
    print(
        f"at once: route_ticket on {len(fresh)} new conversations: {routed} assigned, "
        f"{len(fresh) / took:,.0f} assignments/s ({per:.1f} ms each)",
        flush=True,
    )


def _reopen(team_id: int) -> None:
    from django.utils import timezone

    from sigap.routing.models import AgentPresence, Presence, TeamRouting
    from sigap.tickets.models import Status, Ticket
    from sigap.tickets.services import ticket_receive

    # Room for every reopened conversation, so each lands with someone (kept or new).
    AgentPresence.objects.update(other_capacity=10_000, chat_capacity=10_000)
    agents = list(AgentPresence.objects.order_by("pk").values_list("user_id", flat=True))
    gone = agents[: len(agents) // 10]
    mine = Ticket.objects.filter(team_id=team_id).select_related("customer")
    staying = list(mine.exclude(assignee_id__in=gone).order_by("pk")[: 2 * NEW_TICKETS])
    plain, kept = staying[:NEW_TICKETS], staying[NEW_TICKETS:]
    moved = list(mine.filter(assignee_id__in=gone).order_by("pk")[:NEW_TICKETS])
    Ticket.objects.filter(pk__in=[t.pk for t in staying + moved]).update(
        status=Status.RESOLVED, resolved_at=timezone.now()
    )
    AgentPresence.objects.filter(user_id__in=gone).update(status=Presence.OFFLINE)
    groups = (("team not routing", plain), ("kept", kept), ("routed again", moved))
    for label, tickets in groups:
        # The first group is the cost of a reopening message without any routing.
        TeamRouting.objects.filter(team_id=team_id).update(is_enabled=tickets is not plain)
        began = time.perf_counter()
        for ticket in tickets:
            ticket.status = Status.RESOLVED
            ticket_receive(ticket=ticket, customer=ticket.customer, body="Masih rusak.")
        took = time.perf_counter() - began
        landed = Ticket.objects.filter(
            pk__in=[t.pk for t in tickets], status=Status.OPEN, assignee_id__in=agents
        )
        still_gone = landed.filter(assignee_id__in=gone).count()
        print(
            f"reopened, {label}: ticket_receive on {len(tickets)} resolved conversations in "
            f"{took:.1f}s ({took / len(tickets) * 1000:.1f} ms each; {landed.count()} open with "
            f"an agent, {still_gone} with an offline one)",
            flush=True,
        )


if __name__ == "__main__":
    main()
