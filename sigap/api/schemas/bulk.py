"""Changing many tickets in one request."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from sigap.api.schemas.common import Id, Input, Text
from sigap.tickets.bulk import MAX_TICKETS, Outcome
from sigap.tickets.models import Status


class BulkIn(Input):
    ids: list[Id] = Field(
        description=f"The tickets, by id; at most {MAX_TICKETS}. Repeats count once."
    )
    action: Literal["status", "assign"]
    status: Status | None = Field(None, description='For action "status": the new status.')
    reason: Annotated[Text, Field(max_length=500)] = Field(
        "", description='For action "status": why, shown on each ticket\'s timeline.'
    )
    assignee_id: Id | None = Field(
        None, description='For action "assign": the person, or null to leave them unassigned.'
    )


class BulkResultOut(Schema):
    id: int
    reference: str = Field(examples=["SGP-000042"])
    outcome: Outcome = Field(
        description="done; unchanged (it already was so); refused (left exactly as it was)."
    )
    reason: str = Field(description="Why it was refused, in plain words; empty otherwise.")
    code: str = Field(
        description="The kind of refusal: not_found, forbidden, conflict or invalid_input."
    )


class BulkOut(Schema):
    done: int
    unchanged: int
    refused: int
    results: list[BulkResultOut] = Field(description="One per ticket, in the order sent.")
