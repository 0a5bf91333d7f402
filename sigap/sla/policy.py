"""An SLA policy written as data: response and resolution targets per channel and priority,
the warning threshold, and the escalation ladder with its straight-to-supervisor criteria."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

import yaml
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sigap.core.errors import InvalidInput
from sigap.core.fields import field_path
from sigap.sops.durations import format_duration, parse_duration

METRICS = ("first_response", "next_response", "resolution")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _seconds(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(_("write a duration like 1m, 45m, 4h or 2d, not a bare number"))
    try:
        return int(parse_duration(str(value)).total_seconds())
    except ValueError as problem:
        raise ValueError(
            _("%(value)r is not a duration longer than zero; write it like 1m, 45m, 4h or 2d")
            % {"value": value}
        ) from problem


class Target(_Strict):
    """Targets for one channel, optionally one priority. Missing metrics are not tracked."""

    channel: Literal["email", "chat", "social", "phone", "walk_in"]
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    first_response: int | None = None
    next_response: int | None = None
    resolution: int | None = None
    business_hours: bool | None = None

    @field_validator("first_response", "next_response", "resolution", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> int | None:
        return _seconds(value)

    @model_validator(mode="after")
    def _something(self) -> Target:
        if self.first_response is None and self.next_response is None and self.resolution is None:
            raise ValueError(_("give at least one of first_response, next_response, resolution"))
        return self


class Level(_Strict):
    name: str = Field(min_length=1, max_length=80)
    role: Literal["agent", "supervisor", "manager"] | None = None
    # How long a ticket may stay at this level before it climbs to the next one.
    within: int | None = None
    actions: tuple[Literal["notify", "reassign", "raise_priority", "inform_customer"], ...] = (
        "notify",
    )

    @field_validator("within", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> int | None:
        return _seconds(value)

    @model_validator(mode="after")
    def _responsible(self) -> Level:
        if self.role is None:
            raise ValueError(
                _("level %(name)r needs a responsible role: agent, supervisor or manager")
                % {"name": self.name}
            )
        return self


class Repeat(_Strict):
    count: int = Field(ge=2, le=100)
    within_days: int = Field(ge=1, le=365)
    # Only tickets in these categories (slugs) count; empty means every ticket.
    categories: tuple[str, ...] = ()


class Criteria(_Strict):
    """What sends a new ticket straight to a higher level, without waiting for the ladder."""

    to_level: int = Field(default=2, ge=1)
    keywords: tuple[str, ...] = ()
    vip: bool = False
    repeat: Repeat | None = None
    refund_above_authority: bool = True


class Ladder(_Strict):
    levels: tuple[Level, ...] = Field(min_length=1)
    criteria: Criteria = Criteria()
    inform_customer: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _levels(self) -> Ladder:
        if self.criteria.to_level > len(self.levels):
            raise ValueError(
                _("criteria.to_level is %(level)s but the ladder has %(count)s levels")
                % {"level": self.criteria.to_level, "count": len(self.levels)}
            )
        if "inform_customer" in {a for level in self.levels for a in level.actions} and not (
            self.inform_customer
        ):
            raise ValueError(
                _("a level informs the customer, so inform_customer needs a text per language")
            )
        return self


class PolicyDocument(_Strict):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
    name: str = Field(min_length=1, max_length=120)
    warn_at_percent: int = Field(default=80, ge=1, le=99)
    business_hours: bool = True
    targets: tuple[Target, ...] = Field(min_length=1)
    ladder: Ladder | None = None

    @model_validator(mode="after")
    def _unique_targets(self) -> PolicyDocument:
        seen: set[tuple[str, str | None]] = set()
        for target in self.targets:
            key = (target.channel, target.priority)
            if key in seen:
                raise ValueError(
                    _("two targets for channel %(channel)s and priority %(priority)s")
                    % {"channel": target.channel, "priority": target.priority or "any"}
                )
            seen.add(key)
        return self

    def target_for(self, channel: str, priority: str) -> Target | None:
        """The priority-specific target wins over the channel's general one."""
        general = None
        for target in self.targets:
            if target.channel != channel:
                continue
            if target.priority == priority:
                return target
            if target.priority is None:
                general = target
        return general

    def is_business(self, target: Target) -> bool:
        return self.business_hours if target.business_hours is None else target.business_hours


def policy_parse(data: object) -> PolicyDocument:
    """Validate a policy; every problem is named with its field in one clear message."""
    if isinstance(data, str):
        try:
            data = yaml.safe_load(data)
        except (yaml.YAMLError, ValueError) as problem:
            # PyYAML raises a bare ValueError for an impossible date such as 2026-13-01.
            raise InvalidInput(
                _("The policy is not valid YAML: %(problem)s") % {"problem": problem}
            ) from problem
    if not isinstance(data, dict):
        raise InvalidInput(_("A policy must be a mapping with key, name and targets."))
    try:
        return PolicyDocument.model_validate(data)
    except ValidationError as invalid:
        problems = []
        for error in invalid.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            where = field_path(error["loc"])
            problems.append(f"{where}: {message}" if where else message)
        raise InvalidInput("; ".join(problems)) from invalid


def policy_dump(document: PolicyDocument) -> dict[str, Any]:
    """The document as data with durations written back as people write them."""
    data: dict[str, Any] = document.model_dump(mode="json", exclude_none=True)
    durations: list[tuple[dict[str, Any], tuple[str, ...]]] = [
        (target, METRICS) for target in data["targets"]
    ]
    if document.ladder is not None:
        durations += [(level, ("within",)) for level in data["ladder"]["levels"]]
    for part, names in durations:
        for name in names:
            if name in part:
                part[name] = format_duration(timedelta(seconds=part[name]))
    return data
