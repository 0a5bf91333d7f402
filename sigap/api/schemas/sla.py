"""Shapes of response-time data: targets, deadlines, pauses, breaches and escalations."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from sigap.api.schemas.common import PageOf, Ref, Text


class TimerOut(Schema):
    kind: str = Field(description="first_response, next_response, resolution or escalation")
    state: str = Field(description="running, paused, met or stopped")
    target_seconds: int
    business_time: bool = Field(description="Counted in the team's business hours")
    level: int | None = Field(description="The ladder level, for escalation timers")
    started_at: datetime
    due_at: datetime | None = Field(description="Null while paused")
    warn_at: datetime | None
    warned_at: datetime | None
    breached_at: datetime | None = Field(description="Set once the target was missed")
    met_at: datetime | None
    paused_at: datetime | None
    paused_seconds: float = Field(description="Time spent paused, excluded from the target")
    pause_count: int


class EscalationOut(Schema):
    level: int
    level_name: str
    role: str
    cause: str = Field(description="manual, timer, criteria or sop")
    reason: str
    by: Ref | None
    at: datetime


class TicketSlaOut(Schema):
    timers: list[TimerOut]
    escalations: list[EscalationOut]
    level: int | None = Field(description="The ladder level the ticket is at now")
    level_name: str | None
    next_level_name: str | None


class EscalateIn(Schema):
    reason: Text = Field(min_length=1, max_length=1000)


class WaitingOut(Schema):
    ticket: Ref
    customer: Ref
    channel: str
    kind: str
    waiting_since: datetime
    due_at: datetime
    breached: bool


class WaitingPage(PageOf):
    items: list[WaitingOut]
