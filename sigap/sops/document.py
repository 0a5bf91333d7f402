"""An SOP as its team lead writes it: a YAML document validated by these models.

Text a customer or agent reads may be one string, or one per language: {id: "...", en: "..."}.
"""

from __future__ import annotations

import re
import string
from datetime import timedelta
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from sigap.sops.durations import format_duration, is_duration_text, parse_duration

LANGUAGES = ("id", "en")
CHANNELS = ("email", "chat", "social", "phone", "walk_in")
PRIORITIES = ("low", "normal", "high", "urgent")
ROLES = ("agent", "supervisor", "manager")
STEP_KINDS = ("action", "message", "request_evidence", "decision", "approval", "wait", "escalate")
# What a message template may use; the run fills them from the ticket.
TEMPLATE_VARIABLES = frozenset(
    {"customer_name", "ticket_reference", "agent_name", "team_name", "promised_date", "sop_title"}
)
_SLUG = r"^[a-z0-9][a-z0-9_-]{0,63}$"


def _duration(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return parse_duration(value)
    except ValueError:
        if is_duration_text(value):
            raise ValueError(_("a duration must be longer than zero")) from None
        raise ValueError(
            _("%(text)s is not a duration; write it like 45m, 1h, 2d or 1d12h")
            % {"text": repr(value)}
        ) from None


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    PlainSerializer(format_duration, return_type=str),
]
Slug = Annotated[str, Field(pattern=_SLUG)]


def _localised(value: Any) -> Any:
    if isinstance(value, str):
        return {"id": value, "en": value}
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Strict):
    """The same text in each language; a plain string stands for all of them."""

    id: str = ""
    en: str = ""

    def get(self, language: str) -> str:
        return getattr(self, language, "") or self.id or self.en


LocalisedText = Annotated[Text, BeforeValidator(_localised)]


def _template_fields(text: str) -> set[str]:
    try:
        return {field[1] for field in string.Formatter().parse(text) if field[1] is not None}
    except ValueError as error:
        raise ValueError(
            _("the template is not well formed: %(problem)s") % {"problem": error}
        ) from None


class Deadline(_Strict):
    """When a step is due: `within` after its anchor."""

    within: Duration
    # start: the ticket's creation; resolution: when it was resolved; step:<id>: that step's end.
    from_: str = Field(default="start", alias="from")
    business_time: bool = False

    @field_validator("from_")
    @classmethod
    def _anchor(cls, value: str) -> str:
        if value in ("start", "resolution") or re.match(r"^step:[a-z0-9][a-z0-9_-]*$", value):
            return value
        raise ValueError(_("from must be start, resolution or step:<step id>"))

    @property
    def anchor_step(self) -> str | None:
        return self.from_[5:] if self.from_.startswith("step:") else None


class Condition(_Strict):
    """The step applies only when the named decision came out as one of these options."""

    decision: Slug
    is_: list[Slug] = Field(alias="is", min_length=1)

    @field_validator("is_", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Option(_Strict):
    key: Slug
    label: LocalisedText


class Approval(_Strict):
    """Who may approve: the smallest role whose limit covers the amount in the ticket's facts."""

    action: Slug
    amount_fact: Slug | None = None


class Step(_Strict):
    id: Slug
    kind: Literal[
        "action", "message", "request_evidence", "decision", "approval", "wait", "escalate"
    ]
    title: LocalisedText
    instructions: LocalisedText = Text()
    responsible: str = "agent"
    mandatory: bool = True
    after: list[Slug] = Field(default_factory=list)
    when: Condition | None = None
    deadline: Deadline | None = None
    template: LocalisedText | None = None
    options: list[Option] = Field(default_factory=list)
    decided_by: Literal["agent", "customer"] = "agent"
    approval: Approval | None = None
    escalate_to: Literal["supervisor", "manager"] | None = None

    @field_validator("responsible")
    @classmethod
    def _role(cls, value: str) -> str:
        if value in ROLES or re.match(r"^team:[a-z0-9][a-z0-9_-]*$", value):
            return value
        raise ValueError(
            _("responsible must be one of %(roles)s or team:<team slug>")
            % {"roles": ", ".join(ROLES)}
        )

    @model_validator(mode="after")
    def _kind_needs(self) -> Step:
        if self.kind == "message" and self.template is None:
            raise ValueError(_("a message step needs a template"))
        if self.template is not None:
            for language in LANGUAGES:
                unknown = _template_fields(self.template.get(language)) - TEMPLATE_VARIABLES
                if unknown:
                    raise ValueError(
                        _("the template uses {%(name)s}, which does not exist; available: %(all)s")
                        % {"name": sorted(unknown)[0], "all": ", ".join(sorted(TEMPLATE_VARIABLES))}
                    )
        if self.kind == "decision" and len(self.options) < 2:
            raise ValueError(_("a decision step needs at least two options"))
        if self.kind != "decision" and self.options:
            raise ValueError(_("only a decision step has options"))
        if self.kind == "approval" and self.approval is None:
            raise ValueError(_("an approval step needs approval: {action: ...}"))
        if self.kind == "wait" and self.deadline is None:
            raise ValueError(_("a wait step needs a deadline saying how long to wait"))
        if self.kind == "escalate" and self.escalate_to is None:
            raise ValueError(_("an escalate step needs escalate_to: supervisor or manager"))
        return self


class Keywords(_Strict):
    id: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)

    def all(self) -> list[str]:
        return [*self.id, *self.en]


class Triggers(_Strict):
    channels: list[Literal["email", "chat", "social", "phone", "walk_in"]] = Field(
        default_factory=list
    )
    categories: list[Slug] = Field(default_factory=list)
    keywords: Keywords = Keywords()
    priorities: list[Literal["low", "normal", "high", "urgent"]] = Field(default_factory=list)
    # Higher wins when several SOPs match; ties go to the more specific, then to the key.
    precedence: int = 0


class FollowUpPlan(_Strict):
    """Following up after resolution (MISSION F1): a task for the agent or a message to the
    customer, 1 to 3 days after the ticket was resolved."""

    enabled: bool = True
    after_days: int = Field(default=2, ge=1, le=3)
    mode: Literal["task", "message"] = "task"


SurveyKindName = Literal["csat", "nps"]
SurveyChannel = Literal["email", "chat", "social"]


def _csat_only() -> list[SurveyKindName]:
    return ["csat"]


def _channels_with_links() -> list[SurveyChannel]:
    return ["email", "chat", "social"]


class SurveyPlan(_Strict):
    """Which satisfaction questions go to the customer after resolution, and on which channels.

    Email gets the link by mail, social media as a message; live chat shows it when the chat
    ends. A low score starts `complaint_sop` when that SOP is live, else a recovery task."""

    kinds: list[SurveyKindName] = Field(default_factory=_csat_only)
    channels: list[SurveyChannel] = Field(default_factory=_channels_with_links)
    valid_days: int = Field(default=14, ge=1, le=90)
    complaint_sop: Slug | None = None


class SopDocument(_Strict):
    key: Slug
    title: LocalisedText
    purpose: LocalisedText
    scope: LocalisedText = Text()
    owner: str = "supervisor"
    review_every_days: int = Field(default=180, ge=7, le=730)
    triggers: Triggers = Triggers()
    quality_standards: list[LocalisedText] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)
    follow_up: FollowUpPlan = FollowUpPlan()
    surveys: SurveyPlan = SurveyPlan()

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


def predecessors(by_id: dict[str, Step], step_id: str) -> set[str]:
    """Every step that must end before `step_id` can start."""
    seen: set[str] = set()
    stack = list(by_id[step_id].after)
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(by_id[current].after)
    return seen
