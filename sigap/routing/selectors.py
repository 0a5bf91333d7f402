"""Reads for routing: who is free to take a conversation, how loaded each agent is, the queue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from sigap.accounts.models import Team, User
from sigap.core.cursor import Page, paginate_asc
from sigap.routing.models import (
    CHAT_CHANNELS,
    AgentPresence,
    Presence,
    QueueEntry,
    capacity_kind,
    split_languages,
)
from sigap.tickets import access
from sigap.tickets.models import ACTIVE_STATUSES, Ticket

QUEUE_PAGE_SIZE = 50


@dataclass
class Candidate:
    """An online agent and their open conversations of each capacity kind."""

    presence: AgentPresence
    category_ids: frozenset[int]
    chat_load: int
    other_load: int
    # Empty: any language.
    languages: frozenset[str] = frozenset()

    @property
    def user(self) -> User:
        return self.presence.user

    def load(self, channel: str) -> int:
        return self.chat_load if capacity_kind(channel) == "chat" else self.other_load

    def has_room(self, channel: str) -> bool:
        return self.load(channel) < self.presence.capacity_for(channel)

    def fits(self, *, channel: str, language: str, category_id: int | None) -> bool:
        if self.languages and language.lower() not in self.languages:
            return False
        if category_id is not None and self.category_ids and category_id not in self.category_ids:
            return False
        return self.has_room(channel)

    def took(self, channel: str) -> None:
        self.set_load(channel, self.load(channel) + 1)

    def set_load(self, channel: str, load: int) -> None:
        if capacity_kind(channel) == "chat":
            self.chat_load = load
        else:
            self.other_load = load


def open_loads(user_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Open conversations per agent as (chats, others), in one aggregate query."""
    rows = (
        Ticket.objects.filter(assignee_id__in=list(user_ids), status__in=ACTIVE_STATUSES)
        .values("assignee_id")
        .annotate(
            chats=Count("pk", filter=Q(channel__in=CHAT_CHANNELS)),
            others=Count("pk", filter=~Q(channel__in=CHAT_CHANNELS)),
        )
    )
    return {row["assignee_id"]: (row["chats"], row["others"]) for row in rows}


def open_load(user_id: int, channel: str, *, besides: int | None = None) -> int:
    """One agent's open conversations counting against the capacity for `channel`; `besides`
    leaves one ticket out (the one whose place is being weighed)."""
    kind = Q(channel__in=CHAT_CHANNELS)
    if capacity_kind(channel) != "chat":
        kind = ~kind
    tickets = Ticket.objects.filter(kind, assignee_id=user_id, status__in=ACTIVE_STATUSES)
    if besides is not None:
        tickets = tickets.exclude(pk=besides)
    return tickets.count()


def online_agents(team_ids: Iterable[int] | None) -> list[Candidate]:
    """Agents who are online (in one of `team_ids`, or anywhere when None) with their loads."""
    presences = AgentPresence.objects.filter(
        status=Presence.ONLINE, user__is_active=True
    ).select_related("user")
    if team_ids is not None:
        presences = presences.filter(user__teams__id__in=list(team_ids)).distinct()
    rows = list(presences.order_by("pk"))
    loads = open_loads(p.user_id for p in rows)
    # Read as plain pairs: a prefetch builds a queryset per agent, which costs more than
    # the query itself when a team has hundreds of agents.
    skills: dict[int, set[int]] = defaultdict(set)
    pairs = AgentPresence.categories.through.objects.filter(
        agentpresence_id__in=[p.pk for p in rows]
    ).values_list("agentpresence_id", "category_id")
    for presence_id, category_id in pairs:
        skills[presence_id].add(category_id)
    return [
        Candidate(
            presence=p,
            category_ids=frozenset(skills.get(p.pk, ())),
            chat_load=loads.get(p.user_id, (0, 0))[0],
            other_load=loads.get(p.user_id, (0, 0))[1],
            languages=frozenset(split_languages(p.languages)),
        )
        for p in rows
    ]


def free_candidates(
    team: Team | None, *, channel: str, language: str, category_id: int | None = None
) -> list[Candidate]:
    """Online agents of the team who have the skills and room for one more conversation."""
    team_ids = None if team is None else [team.pk]
    return [
        c
        for c in online_agents(team_ids)
        if c.fits(channel=channel, language=language, category_id=category_id)
    ]


def agents_available(team: Team | None, *, channel: str, language: str) -> bool:
    """Whether a conversation on `channel` in `language` would reach an agent right now.

    `team` None asks about every team. A chat can say honestly when nobody is there.
    """
    return bool(free_candidates(team, channel=channel, language=language))


@dataclass(frozen=True)
class AgentLoad:
    """One agent as a supervisor sees them: presence and open conversations against capacity."""

    user: User
    status: str
    chats: int
    chat_capacity: int
    others: int
    other_capacity: int


def team_agents(user: User, *, team_id: int | None = None) -> list[AgentLoad]:
    """The agents of the teams this user may see (one team with `team_id`), online first."""
    people = User.objects.filter(
        is_active=True,
        groups__permissions__codename="change_ticket",
        groups__permissions__content_type__app_label="tickets",
    )
    if access.has_wide_access(user):
        people = people.filter(teams__isnull=False)
    else:
        people = people.filter(teams__id__in=access.team_ids(user))
    if team_id is not None:
        people = people.filter(teams__id=team_id)
    rows = list(people.select_related("presence").distinct().order_by("first_name", "username"))
    loads = open_loads(u.pk for u in rows)
    defaults = AgentPresence()
    agents = []
    for person in rows:
        presence = getattr(person, "presence", None) or defaults
        chats, others = loads.get(person.pk, (0, 0))
        agents.append(
            AgentLoad(
                user=person,
                status=presence.status,
                chats=chats,
                chat_capacity=presence.chat_capacity,
                others=others,
                other_capacity=presence.other_capacity,
            )
        )
    order = {Presence.ONLINE: 0, Presence.AWAY: 1, Presence.OFFLINE: 2}
    return sorted(agents, key=lambda a: order.get(Presence(a.status), 3))


def presence_of(user: User) -> AgentPresence | None:
    return AgentPresence.objects.filter(user=user).first()


def queue_entries(user: User, *, team_id: int | None = None) -> QuerySet[QueueEntry]:
    """The waiting conversations this user may see, optionally of one team."""
    entries = QueueEntry.objects.select_related(
        "ticket", "ticket__customer", "ticket__category", "team"
    )
    if not access.may_view_tickets(user):
        return entries.none()
    if not access.has_wide_access(user):
        entries = entries.filter(team_id__in=access.team_ids(user))
    if team_id is not None:
        entries = entries.filter(team_id=team_id)
    return entries


def queue_page(
    user: User, *, team_id: int | None = None, cursor: str | None = None
) -> Page[QueueEntry]:
    """One page of the team queue, the longest waiting first."""
    return paginate_asc(
        queue_entries(user, team_id=team_id),
        field="queued_at",
        cursor=cursor,
        size=QUEUE_PAGE_SIZE,
    )
