"""Reads for SOPs: a ticket's checklist, the versions an agent may switch to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import get_language

from sigap.accounts.models import User
from sigap.core import clock
from sigap.sops.display import outcome_label, reason_text, role_label
from sigap.sops.document import Step
from sigap.sops.models import LIVE_STATUSES, SopRun, SopVersion, StepState, StepStatus
from sigap.sops.services import (
    authority_limit,
    current_run,
    version_document,
)
from sigap.sops.wording import fill, template_values
from sigap.tickets import access
from sigap.tickets.models import Ticket


@dataclass(frozen=True)
class ChecklistStep:
    step: Step
    state: StepState
    title: str
    instructions: str
    template_text: str
    is_overdue: bool
    is_next: bool
    responsible: str
    outcome: str

    @property
    def is_open(self) -> bool:
        return self.state.status == StepStatus.OPEN

    @property
    def can_waive(self) -> bool:
        return self.state.status in (StepStatus.OPEN, StepStatus.BLOCKED)


@dataclass(frozen=True)
class Checklist:
    run: SopRun
    title: str
    steps: list[ChecklistStep]
    now: datetime
    reasons: list[str]

    @property
    def blocking(self) -> list[ChecklistStep]:
        return [s for s in self.steps if s.state.blocks_resolution]

    def step(self, step_id: str) -> ChecklistStep | None:
        return next((s for s in self.steps if s.step.id == step_id), None)


def ticket_checklist(ticket: Ticket, agent: User) -> Checklist | None:
    """The run on this ticket shaped for the checklist panel, in the agent's language, with
    message templates filled in the customer's language."""
    run = current_run(ticket)
    if run is None:
        return None
    document = version_document(run.version)
    language = get_language() or "id"
    now = clock.now()
    values = template_values(ticket, agent, document.title.get(ticket.language))
    states = list(run.steps.select_related("completed_by", "waived_by").order_by("position"))
    open_states = [s for s in states if s.status == StepStatus.OPEN]
    first = min(
        open_states,
        key=lambda s: (s.deadline_at is None, s.deadline_at or now, s.position),
        default=None,
    )
    steps = []
    for state in states:
        step = document.step(state.step_id)
        steps.append(
            ChecklistStep(
                step=step,
                state=state,
                title=step.title.get(language),
                instructions=step.instructions.get(language),
                template_text=fill(step, ticket.language, values),
                is_overdue=state.status == StepStatus.OPEN
                and state.deadline_at is not None
                and state.deadline_at < now,
                is_next=state is first,
                responsible=role_label(step.responsible),
                outcome=outcome_label(step, state.outcome) if state.outcome else "",
            )
        )
    return Checklist(
        run=run,
        title=document.title.get(language),
        steps=steps,
        now=now,
        reasons=[reason_text(r) for r in run.matched.get("reasons", [])],
    )


def switchable_versions(ticket: Ticket) -> list[SopVersion]:
    run = current_run(ticket)
    versions = SopVersion.objects.filter(status__in=LIVE_STATUSES).select_related("sop")
    if run is not None:
        versions = versions.exclude(pk=run.version_id)
    return list(versions.order_by("sop__key"))


def approval_queue(user: User, *, limit: int = 100) -> list[StepState]:
    """Approvals waiting for someone with this user's authority, oldest first, on tickets they
    may see. An amount above their limit is left for someone higher."""
    if not user.has_perm("sops.decide_approvals"):
        return []
    cap = authority_limit(user)
    waiting = StepState.objects.filter(
        status=StepStatus.OPEN,
        approval_requested_at__isnull=False,
        run__ended_at__isnull=True,
        run__ticket__in=access.visible_tickets(user),
    )
    if cap is not None:
        waiting = waiting.filter(approval_amount__lte=cap)
    return list(
        waiting.select_related(
            "approval_requested_by", "run__ticket__customer", "run__version__sop"
        ).order_by("approval_requested_at")[:limit]
    )
