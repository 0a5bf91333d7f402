"""A slice of the desk's work: a period and, optionally, a team, agent, channel, SOP or SOP
version; and who may look at which slices."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sigap.accounts.models import Team, User
from sigap.core.errors import InvalidInput, NotAllowed
from sigap.metrics.models import TicketFact
from sigap.metrics.periods import Period, period_parse
from sigap.sops.models import Sop, SopVersion
from sigap.tickets import access
from sigap.tickets.models import Channel


@dataclass(frozen=True)
class Slice:
    period: Period
    # None: every team. A supervisor's slices are always limited to their own teams.
    team_ids: tuple[int, ...] | None = None
    agent_id: int | None = None
    channel: str | None = None
    sop_id: int | None = None
    sop_version_id: int | None = None

    def previous(self) -> Slice:
        return replace(self, period=self.period.previous())

    def condition(self, prefix: str = "") -> Q:
        """The slice's filter on TicketFact, or on a model that reaches it through `prefix`."""
        condition = Q()
        if self.team_ids is not None:
            condition &= Q(**{f"{prefix}team_id__in": self.team_ids})
        if self.agent_id is not None:
            condition &= Q(**{f"{prefix}agent_id": self.agent_id})
        if self.channel is not None:
            condition &= Q(**{f"{prefix}channel": self.channel})
        if self.sop_id is not None:
            condition &= Q(**{f"{prefix}sop_id": self.sop_id})
        if self.sop_version_id is not None:
            condition &= Q(**{f"{prefix}sop_version_id": self.sop_version_id})
        return condition

    @property
    def is_narrowed(self) -> bool:
        return bool(self.condition())

    def facts(self, day_field: str) -> QuerySet[TicketFact]:
        """The facts whose `day_field` (opened_on, first_resolved_on) falls in the period."""
        period = self.period
        return TicketFact.objects.filter(
            self.condition(),
            **{f"{day_field}__gte": period.first, f"{day_field}__lt": period.end},
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.key,
            "teams": list(self.team_ids) if self.team_ids is not None else None,
            "agent": self.agent_id,
            "channel": self.channel,
            "sop": self.sop_id,
            "sop_version": self.sop_version_id,
        }


def may_view_metrics(user: User) -> bool:
    """Supervisors, managers and admins. Agents do not see the dashboard: their numbers are
    read with their supervisor, who sees the whole team's."""
    return user.is_active and user.has_perm("tickets.assign_any_agent")


def _number(value: str | None, field: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise InvalidInput(_("Must be a whole number."), field=field) from None
    if not 0 < number < 2**63:
        raise InvalidInput(_("Must be a whole number."), field=field)
    return number


def slice_for(
    *,
    user: User,
    period: str,
    team: str | None = None,
    agent: str | None = None,
    channel: str | None = None,
    sop: str | None = None,
    sop_version: str | None = None,
) -> Slice:
    """Check the user may see metrics and the filters name things that exist; the slice."""
    if not may_view_metrics(user):
        raise NotAllowed(_("Only supervisors and managers see the desk's figures."))
    team_id = _number(team, "team")
    own: tuple[int, ...] | None = None
    if not access.has_wide_access(user):
        own = tuple(sorted(access.team_ids(user)))
        if team_id is not None and team_id not in own:
            raise NotAllowed(_("You see the figures of your own teams only."))
    return _checked(
        period=period,
        team_id=team_id,
        agent_id=_number(agent, "agent"),
        channel=channel,
        sop_id=_number(sop, "sop"),
        version_id=_number(sop_version, "sop_version"),
        own_teams=own,
    )


def _named(value: str | None, field: str, model: Any, name_field: str) -> int | None:
    """An id, or the slug, username or key a person types at the command line."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if text.isdigit():
        return _number(text, field)
    found = model.objects.filter(**{name_field: text}).values_list("pk", flat=True).first()
    if found is None:
        raise InvalidInput(_("Nothing is called %(name)s.") % {"name": text[:60]}, field=field)
    return int(found)


def slice_options(
    *,
    period: str,
    team: str | None = None,
    agent: str | None = None,
    channel: str | None = None,
    sop: str | None = None,
) -> Slice:
    """For the command line, run by whoever operates the desk: the whole desk may be read."""
    return _checked(
        period=period,
        team_id=_named(team, "team", Team, "slug"),
        agent_id=_named(agent, "agent", User, "username"),
        channel=channel,
        sop_id=_named(sop, "sop", Sop, "key"),
        version_id=None,
        own_teams=None,
    )


def _checked(
    *,
    period: str,
    team_id: int | None,
    agent_id: int | None,
    channel: str | None,
    sop_id: int | None,
    version_id: int | None,
    own_teams: tuple[int, ...] | None,
) -> Slice:
    parsed = period_parse(period)
    if team_id is not None and not Team.objects.filter(pk=team_id).exists():
        raise InvalidInput(_("There is no team %(id)s.") % {"id": team_id}, field="team")
    team_ids: tuple[int, ...] | None = (team_id,) if team_id is not None else own_teams
    if agent_id is not None and not User.objects.filter(pk=agent_id).exists():
        raise InvalidInput(_("There is no agent %(id)s.") % {"id": agent_id}, field="agent")
    chosen_channel = (channel or "").strip() or None
    if chosen_channel is not None and chosen_channel not in Channel.values:
        raise InvalidInput(
            _("Unknown channel %(channel)s; choose one of: %(choices)s.")
            % {"channel": chosen_channel[:40], "choices": ", ".join(Channel.values)},
            field="channel",
        )
    if sop_id is not None and not Sop.objects.filter(pk=sop_id).exists():
        raise InvalidInput(_("There is no SOP %(id)s.") % {"id": sop_id}, field="sop")
    if version_id is not None and not SopVersion.objects.filter(pk=version_id).exists():
        raise InvalidInput(
            _("There is no SOP version %(id)s.") % {"id": version_id}, field="sop_version"
        )
    return Slice(
        period=parsed,
        team_ids=team_ids,
        agent_id=agent_id,
        channel=chosen_channel,
        sop_id=sop_id,
        sop_version_id=version_id,
    )
