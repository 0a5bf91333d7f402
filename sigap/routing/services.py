"""Routing writes: presence changes, handing a conversation to a free agent, the team queue.

A conversation goes to an online agent of its team who speaks its language, knows its category
and has room under their capacity, chosen by the team's strategy. When nobody fits it waits in
the team queue, the team's supervisors are told once, and the first agent with room takes the
oldest waiting conversation that fits.

A conversation is routed again when it moves to another team without its agent, and when it
is reopened while its agent is away, offline or full (`routing_team_changed`,
`routing_status_changed`, called by the ticket services inside their transaction).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sigap.accounts.models import Role, User
from sigap.core import clock
from sigap.core.brief_cache import BriefCache
from sigap.core.env import env_int
from sigap.core.errors import InvalidInput, NotAllowed
from sigap.core.jobs import job_enqueue
from sigap.core.realtime import publish_on_commit
from sigap.routing.models import (
    AgentPresence,
    Presence,
    QueueEntry,
    Strategy,
    TeamRouting,
)
from sigap.routing.selectors import Candidate, online_agents, open_load
from sigap.sla.responsible import people_in_role
from sigap.tickets import access
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import Status, Ticket

logger = logging.getLogger(__name__)

# Waiting conversations looked at per team in one pass of the executor.
HAND_OUT_BATCH = 500


def stale_after() -> timedelta:
    """How long without a sign of life before an online or away agent counts as offline."""
    return timedelta(minutes=env_int("SIGAP_PRESENCE_STALE_MINUTES", 5))


def live_group(user_id: int) -> str:
    """The socket group of one person, for routing notices meant for them alone."""
    return f"routing.user.{user_id}"


# --- presence ---------------------------------------------------------------------------------


def _check_may_set_presence(*, by: User, user: User) -> None:
    # Who may ask comes first: someone refused learns nothing of the account, not even its name.
    if by.pk != user.pk and not access.has_wide_access(by):
        shares_team = bool(set(access.team_ids(by)) & set(access.team_ids(user)))
        if not (shares_team and by.has_perm("tickets.assign_any_agent")):
            raise NotAllowed(_("You may not change another agent's presence."))
    if not user.has_perm("tickets.change_ticket"):
        raise InvalidInput(
            _("%(name)s does not work on tickets.") % {"name": user.display_name}, field="user"
        )


def _presence_row(user: User) -> AgentPresence:
    presence, _created = AgentPresence.objects.get_or_create(user=user)
    return presence


def presence_set(*, user: User, status: str, by: User) -> AgentPresence:
    """An agent (or their supervisor) says whether they are online, away or offline.

    Going online hands the agent the oldest waiting conversations that fit them.
    """
    if status not in Presence.values:
        raise InvalidInput(
            _("Unknown presence %(status)s; use online, away or offline.") % {"status": status},
            field="status",
        )
    _check_may_set_presence(by=by, user=user)
    now = clock.now()
    with transaction.atomic():
        _presence_row(user)
        presence = AgentPresence.objects.select_for_update().get(user=user)
        if presence.status != status:
            presence.status_changed_at = now
        presence.status = status
        presence.last_seen = now
        presence.is_offline_by_choice = status == Presence.OFFLINE
        presence.save(
            update_fields=["status", "status_changed_at", "last_seen", "is_offline_by_choice"]
        )
    if status == Presence.ONLINE:
        queue_hand_out(team_ids=access.team_ids(user))
    return presence


def presence_seen(*, user: User) -> AgentPresence | None:
    """A sign of life from an agent's desk page or inbox socket.

    An agent the desk had turned offline for silence is online again; one who chose to be
    away or offline stays so.
    """
    if not user.has_perm("tickets.change_ticket"):
        return None
    now = clock.now()
    _presence_row(user)
    back = AgentPresence.objects.filter(
        user=user, status=Presence.OFFLINE, is_offline_by_choice=False
    ).update(status=Presence.ONLINE, status_changed_at=now, last_seen=now)
    if not back:
        AgentPresence.objects.filter(user=user).update(last_seen=now)
    if back:
        queue_hand_out(team_ids=access.team_ids(user))
    return AgentPresence.objects.get(user=user)


def presence_expire_stale(*, now: datetime | None = None) -> int:
    """Agents not heard from for a while are offline. Returns how many were turned offline."""
    now = now or clock.now()
    stale = AgentPresence.objects.exclude(status=Presence.OFFLINE).filter(
        last_seen__lt=now - stale_after()
    )
    # Read first: the executor asks every second, and on SQLite even an UPDATE that changes
    # nothing would take the one write lock from the pages.
    if not stale.exists():
        return 0
    return stale.update(status=Presence.OFFLINE, status_changed_at=now, is_offline_by_choice=False)


# --- routing ----------------------------------------------------------------------------------


def _in_order(candidates: list[Candidate], *, strategy: str, channel: str) -> list[Candidate]:
    if strategy == Strategy.LEAST_LOADED:
        return sorted(
            candidates, key=lambda c: (c.load(channel), c.presence.routed_turn, c.presence.pk)
        )
    return sorted(candidates, key=lambda c: (c.presence.routed_turn, c.presence.pk))


def _claim_place(candidate: Candidate, channel: str) -> bool:
    """Lock the agent's routing row and recount under the lock: still online, still room?

    Another worker routing at the same moment waits on this lock and then counts the
    conversation given here, so nobody goes over capacity. A refused agent's lock is given back
    at once (savepoint), so two routings never hold each other's agents.
    """
    try:
        with transaction.atomic():
            presence = AgentPresence.objects.select_for_update().get(pk=candidate.presence.pk)
            load = open_load(presence.user_id, channel)
            candidate.set_load(channel, load)
            if presence.status != Presence.ONLINE:
                candidate.set_load(channel, presence.capacity_for(channel))
                raise _NoRoom
            if load >= presence.capacity_for(channel):
                raise _NoRoom
    except _NoRoom:
        return False
    return True


class _NoRoom(Exception):
    pass


def _give(ticket: Ticket, candidate: Candidate, *, strategy: str, turn: int, at: datetime) -> User:
    from sigap.tickets.services import ticket_assign_by_system

    agent = candidate.user
    ticket_assign_by_system(ticket=ticket, assignee=agent, at=at)
    event_record(
        ticket=ticket,
        kind=EventKind.ROUTING_ASSIGNED,
        at=at,
        data={"to": agent.display_name, "to_id": agent.pk, "strategy": strategy},
    )
    AgentPresence.objects.filter(pk=candidate.presence.pk).update(routed_turn=turn)
    candidate.presence.routed_turn = turn
    candidate.took(ticket.channel)
    QueueEntry.objects.filter(ticket=ticket).delete()
    return agent


def _assign_free_agent(
    ticket: Ticket, candidates: list[Candidate], *, strategy: str, at: datetime
) -> User | None:
    """Give a locked ticket to the first fitting candidate in strategy order who has room."""
    category_id = ticket.category_id
    fitting = [
        c
        for c in candidates
        if c.fits(channel=ticket.channel, language=ticket.language, category_id=category_id)
    ]
    turn = max((c.presence.routed_turn for c in candidates), default=0) + 1
    for candidate in _in_order(fitting, strategy=strategy, channel=ticket.channel):
        if _claim_place(candidate, ticket.channel):
            return _give(ticket, candidate, strategy=strategy, turn=turn, at=at)
    return None


# Whether a team routes; saving or deleting a team's routing clears it (sigap.routing.apps).
_routings: BriefCache[int, TeamRouting | None] = BriefCache()


def routing_cache_clear(**_signal: object) -> None:
    _routings.clear()


def _routing_of(team_id: int | None) -> TeamRouting | None:
    if team_id is None:
        return None
    return _routings.get(
        team_id, lambda: TeamRouting.objects.filter(team_id=team_id, is_enabled=True).first()
    )


def _queue(ticket: Ticket, *, team_id: int, at: datetime) -> None:
    entry, created = QueueEntry.objects.get_or_create(
        ticket=ticket,
        defaults={
            "team_id": team_id,
            "queued_at": at,
            "channel": ticket.channel,
            "language": ticket.language,
            "category_id": ticket.category_id,
        },
    )
    if created:
        team_name = ticket.team.name if ticket.team else ""
        event_record(ticket=ticket, kind=EventKind.ROUTING_QUEUED, at=at, data={"team": team_name})
    if entry.alerted_at is None:
        _alert_supervisors(ticket, at=at)
        QueueEntry.objects.filter(pk=entry.pk).update(alerted_at=at)


def alert_every() -> timedelta:
    """At most one mail per team in this time about conversations waiting in its queue."""
    return timedelta(minutes=max(1, env_int("SIGAP_QUEUE_ALERT_MINUTES", 30)))


def _alert_supervisors(ticket: Ticket, *, at: datetime) -> None:
    """Tell the team's supervisors that a conversation waits: live for each one, by mail at
    most once per team every `alert_every()`.

    When nobody is online (a night of mail) every conversation waits; a mail for each would
    bury the supervisors' inbox. The mail lists everything waiting when it goes out, and the
    queue page shows the rest live.
    """
    supervisors = list(people_in_role(Role.SUPERVISOR, ticket.team_id).values_list("pk", flat=True))
    if not supervisors:
        return
    window = int(alert_every().total_seconds())
    job_enqueue(
        kind="routing_queue_alert",
        payload={"team": ticket.team_id, "ticket": ticket.pk},
        idempotency_key=f"routing-queued:{ticket.team_id}:{int(at.timestamp()) // window}",
    )
    publish_on_commit(
        [live_group(pk) for pk in supervisors], {"type": "routing.queued", "ticket": ticket.pk}
    )


def route_ticket(ticket: Ticket) -> User | None:
    """Give the ticket to a free agent of its team now, or put it in the team queue.

    Returns the agent, or None when it waits (or its team does not route). A ticket that
    already has an assignee keeps them. Safe to call from inside another transaction.
    """
    return _route_ticket(ticket, known=None)


def _route_ticket(ticket: Ticket, *, known: TeamRouting | None) -> User | None:
    """`known`: the team's routing, when the caller has just read it for this ticket."""
    from sigap.tickets.services import ticket_lock_for_work

    now = clock.now()
    with transaction.atomic():
        locked = ticket_lock_for_work(ticket=ticket, by=None)
        if locked.assignee_id is not None:
            QueueEntry.objects.filter(ticket=locked).delete()
            return locked.assignee
        team_id = locked.team_id
        if known is not None and known.team_id == team_id:
            routing: TeamRouting | None = known
        else:
            routing = _routing_of(team_id)
        if team_id is None or routing is None or not locked.is_active:
            return None
        candidates = online_agents([team_id])
        agent = _assign_free_agent(locked, candidates, strategy=routing.strategy, at=now)
        if agent is None:
            _queue(locked, team_id=team_id, at=now)
            return None
        ticket.assignee = agent
        ticket.updated_at = locked.updated_at
    return agent


def route_new_ticket(ticket: Ticket) -> User | None:
    """Route a ticket being opened. Routing must never cost the customer's message: if it fails,
    the ticket is opened anyway and waits in the queue for the executor to hand it out."""
    # A ticket of a team that does not route costs one lookup, not a lock and two savepoints.
    routing = _routing_of(ticket.team_id)
    if routing is None:
        return None
    try:
        with transaction.atomic():
            return _route_ticket(ticket, known=routing)
    except Exception:
        logger.exception("routing ticket %s failed; it waits in the team queue", ticket.pk)
    _queue(ticket, team_id=routing.team_id, at=clock.now())
    return None


# --- routing again ----------------------------------------------------------------------------


def _is_available(ticket: Ticket, assignee_id: int) -> bool:
    """Whether the ticket's assignee is online with room for it next to their other work."""
    presence = AgentPresence.objects.filter(user_id=assignee_id).first()
    if presence is None or presence.status != Presence.ONLINE:
        return False
    load = open_load(presence.user_id, ticket.channel, besides=ticket.pk)
    return load < presence.capacity_for(ticket.channel)


def _route_again(ticket: Ticket, routing: TeamRouting, *, at: datetime) -> None:
    """Hand a locked, active ticket to a free agent of its team other than its assignee, or
    take it from its assignee and put it in the team queue."""
    from sigap.tickets.services import ticket_assign_by_system

    assert ticket.team_id is not None
    candidates = [c for c in online_agents([ticket.team_id]) if c.user.pk != ticket.assignee_id]
    if _assign_free_agent(ticket, candidates, strategy=routing.strategy, at=at) is not None:
        return
    if ticket.assignee_id is not None:
        # Only a ticket without an agent is handed out from the queue.
        ticket_assign_by_system(ticket=ticket, assignee=None, at=at)
    _queue(ticket, team_id=ticket.team_id, at=at)


def _route_again_safely(ticket: Ticket, routing: TeamRouting, *, at: datetime) -> None:
    """Routing again must never cost the change that caused it (a customer's message, a move):
    if it fails, the ticket keeps its state and the change goes through."""
    before = (ticket.assignee_id, ticket.updated_at)
    try:
        with transaction.atomic():
            _route_again(ticket, routing, at=at)
    except Exception:
        logger.exception("routing ticket %s again failed; it keeps its assignee", ticket.pk)
        ticket.assignee_id, ticket.updated_at = before


def routing_team_changed(*, ticket: Ticket, at: datetime) -> None:
    """A locked ticket was moved to another team (from the desk, the API or anywhere else).

    It leaves the old team's queue. Without an agent (its assignee was not in the new team) it
    goes to a free agent of the new team, or waits in that team's queue.
    """
    QueueEntry.objects.filter(ticket=ticket).exclude(team=ticket.team).delete()
    if ticket.assignee_id is not None or not ticket.is_active:
        return
    routing = _routing_of(ticket.team_id)
    if routing is not None:
        _route_again_safely(ticket, routing, at=at)


def routing_status_changed(*, ticket: Ticket, previous: str, by: User | None, at: datetime) -> None:
    """A locked ticket changed status. When a resolved ticket is reopened (the customer wrote
    again, an agent reopened it, a follow-up found the problem continues) it stays with its
    agent if they are online with room; otherwise it goes to a free agent of its team, or
    waits in the team queue, so the customer is not left with someone who is not there. An
    agent who reopens their own ticket is at work on it, whatever their presence says.

    Called before the caller saves the new status; everything read here is the locked row.
    """
    if previous != Status.RESOLVED or not ticket.is_active:
        return
    if ticket.assignee_id is not None and by is not None and by.pk == ticket.assignee_id:
        return
    routing = _routing_of(ticket.team_id)
    if routing is None:
        return
    if ticket.assignee_id is not None and _is_available(ticket, ticket.assignee_id):
        return
    _route_again_safely(ticket, routing, at=at)


# --- the queue --------------------------------------------------------------------------------


def _hand_out_team(team_id: int, strategy: str) -> int:
    """Give this team's waiting conversations, oldest first, to agents with room."""
    candidates = online_agents([team_id])
    given = 0
    after: tuple[datetime, int] | None = None
    while any(c.has_room("chat") or c.has_room("other") for c in candidates):
        waiting = QueueEntry.objects.filter(team_id=team_id)
        if after is not None:
            waiting = waiting.filter(
                Q(queued_at__gt=after[0]) | Q(queued_at=after[0], pk__gt=after[1])
            )
        rows = list(
            waiting.order_by("queued_at", "id").values_list(
                "pk", "queued_at", "channel", "language", "category_id"
            )[:HAND_OUT_BATCH]
        )
        if not rows:
            break
        for entry_id, _queued_at, channel, language, category_id in rows:
            if any(
                c.fits(channel=channel, language=language, category_id=category_id)
                for c in candidates
            ):
                given += _hand_out_entry(entry_id, team_id, candidates, strategy=strategy)
        after = (rows[-1][1], rows[-1][0])
    return given


def _hand_out_entry(
    entry_id: int, team_id: int, candidates: list[Candidate], *, strategy: str
) -> int:
    """Hand one waiting conversation to a candidate; 1 if it was handed out."""
    from sigap.tickets.services import ticket_lock_for_work

    with transaction.atomic():
        entry = QueueEntry.objects.select_for_update(skip_locked=True).filter(pk=entry_id).first()
        if entry is None:
            return 0  # handed out by another worker just now
        ticket = ticket_lock_for_work(ticket=Ticket(pk=entry.ticket_id), by=None)
        if ticket.assignee_id is not None or not ticket.is_active or ticket.team_id != team_id:
            entry.delete()  # someone took it by hand, closed it or moved it
            return 0
        agent = _assign_free_agent(ticket, candidates, strategy=strategy, at=clock.now())
    return 0 if agent is None else 1


def queue_hand_out(*, team_ids: list[int] | None = None) -> int:
    """Hand waiting conversations to agents who have room. Returns how many were handed out.

    Runs when an agent comes online, and on every pass of the executor, which notices capacity
    freed by a resolved, closed or reassigned conversation.
    """
    teams = QueueEntry.objects.order_by().values_list("team_id", flat=True).distinct()
    if team_ids is not None:
        teams = teams.filter(team_id__in=team_ids)
    strategies = dict(
        TeamRouting.objects.filter(team_id__in=list(teams), is_enabled=True).values_list(
            "team_id", "strategy"
        )
    )
    return sum(_hand_out_team(team_id, strategy) for team_id, strategy in strategies.items())
