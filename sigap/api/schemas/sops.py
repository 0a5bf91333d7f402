"""Shapes of SOP documents, versions and a ticket's run in the API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from sigap.api.schemas.common import Text


class DocumentIn(Schema):
    document: Text = Field(description="The SOP as YAML (or JSON), exactly as a person writes it.")


class SopCreate(DocumentIn):
    publish: bool = Field(False, description="Publish it as the active version right away.")
    notes: Text = Field("", max_length=2000, description="Change notes shown to the team.")


class DocumentProblem(Schema):
    line: int | None
    field: str
    message: str


class ValidationOut(Schema):
    valid: bool
    key: str | None = None
    errors: list[DocumentProblem]


class VersionOut(Schema):
    key: str
    number: int
    status: str
    title: str
    change_notes: str
    published_at: datetime | None
    review_due_at: datetime | None


class SopOut(Schema):
    key: str
    live: VersionOut | None
    versions: list[VersionOut]


class EvidenceOut(Schema):
    attachment: int
    filename: str
    content_type: str
    size: int
    received_at: datetime


class StepOut(Schema):
    id: str
    kind: str
    title: str
    responsible: str
    mandatory: bool
    status: str
    deadline_at: datetime | None
    is_overdue: bool
    blocks_resolution: bool
    template: str = Field(description="The message filled for this ticket, in its language.")
    options: list[str]
    outcome: str | None
    outcome_label: str | None = Field(description="The outcome in the caller's language.")
    completed_at: datetime | None
    completed_by: str | None
    waived_at: datetime | None
    waived_by: str | None
    reason: str
    evidence: EvidenceOut | None = Field(
        default=None, description="The customer's file a request for evidence received."
    )


class SpecialPolicyOut(Schema):
    step: str | None = Field(description="The step it settled; null for the ticket as a whole.")
    description: str = Field(description="What is allowed outside the SOP.")
    reason: str
    granted_by: str | None
    granted_at: datetime


class RunOut(Schema):
    sop: str
    version: int
    title: str
    matched: list[str]
    started_at: datetime
    steps: list[StepOut]
    special_policies: list[SpecialPolicyOut]


class StepComplete(Schema):
    outcome: str | None = Field(
        None, max_length=64, description="The option, or approved/rejected."
    )
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=0)
    note: Text = Field("", max_length=1000)


class StepWaive(Schema):
    reason: Text = Field(max_length=1000)


class SopSwitch(Schema):
    sop: Text = Field(max_length=64, description="Key of a live SOP.")
    reason: Text = Field(max_length=1000)


class SpecialPolicyIn(Schema):
    description: Text = Field(max_length=1000, description="What is allowed outside the SOP.")
    reason: Text = Field(max_length=1000, description="Why this customer needs it.")
    step: str | None = Field(
        None, max_length=64, description="An open step it settles (waived as an exception)."
    )
