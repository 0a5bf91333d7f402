"""Reads for SOPs: a ticket's checklist, the versions an agent may switch to."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Prefetch, Q

from sigap.accounts.models import User
from sigap.core import clock
from sigap.sops.display import outcome_label, reader_language, reason_text, role_label
from sigap.sops.document import Step
from sigap.sops.models import (
    LIVE_STATUSES,
    Acknowledgement,
    ExceptionKind,
    Sop,
    SopException,
    SopRun,
    SopVersion,
    StepState,
    StepStatus,
)
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
    # A decision's options as (key, label in the reader's language).
    options: list[tuple[str, str]]
    # Approvals are set aside only by those who may decide them.
    may_waive: bool
    # The special policy that settled this step, if one did.
    special_policy: SopException | None = None

    @property
    def is_open(self) -> bool:
        return self.state.status == StepStatus.OPEN

    @property
    def can_waive(self) -> bool:
        return self.may_waive and self.state.status in (StepStatus.OPEN, StepStatus.BLOCKED)


@dataclass(frozen=True)
class Checklist:
    run: SopRun
    title: str
    steps: list[ChecklistStep]
    now: datetime
    reasons: list[str]
    # Special policies granted on this run, for the ticket as a whole or for one step.
    special_policies: list[SopException]

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
    language = reader_language()
    now = clock.now()
    values = template_values(ticket, agent, document.title.get(ticket.language))
    states = list(
        run.steps.select_related("completed_by", "waived_by", "evidence").order_by("position")
    )
    may_decide = agent.has_perm("sops.decide_approvals")
    open_states = [s for s in states if s.status == StepStatus.OPEN]
    policies = list(
        run.exceptions.filter(kind=ExceptionKind.SPECIAL_POLICY).select_related("by").order_by("at")
    )
    policy_of_step = {p.step_id: p for p in policies if p.step_id}
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
                options=[(option.key, option.label.get(language)) for option in step.options],
                may_waive=step.kind != "approval" or may_decide,
                special_policy=policy_of_step.get(state.step_id),
            )
        )
    return Checklist(
        run=run,
        title=document.title.get(language),
        steps=steps,
        now=now,
        reasons=[reason_text(r) for r in run.matched.get("reasons", [])],
        special_policies=policies,
    )


def switchable_versions(*, current: SopRun | None) -> list[SopVersion]:
    """The live versions a ticket whose run is `current` could move to."""
    versions = (
        SopVersion.objects.filter(status__in=LIVE_STATUSES).select_related("sop").defer("source")
    )
    if current is not None:
        versions = versions.exclude(pk=current.version_id)
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


# An SOP whose steps are set aside this often is asking to be reviewed (seed 004).
WAIVE_RATE_FOR_REVIEW = 0.2
MIN_RUNS_FOR_RATES = 5


@dataclass(frozen=True)
class StepHealth:
    step_id: str
    title: str
    ended: int
    waived: int
    late: int

    @property
    def waive_rate(self) -> float:
        return self.waived / self.ended if self.ended else 0.0


def version_title(version: SopVersion) -> str:
    """The version's title in the reader's language."""
    return version_document(version).title.get(reader_language())


@dataclass(frozen=True)
class SopSummary:
    sop: Sop
    live: SopVersion | None
    title: str
    runs: int
    waived: int
    review_overdue: bool
    needs_review: bool


def sop_summaries() -> list[SopSummary]:
    """Every SOP with its live version, how many tickets ran it and how often steps were
    waived: two aggregate queries whatever the number of runs."""
    now = clock.now()
    # The YAML of every version is not needed here; the live document gives the title.
    versions = Prefetch("versions", queryset=SopVersion.objects.defer("source"))
    sops = list(Sop.objects.prefetch_related(versions).order_by("key"))
    runs = dict(SopRun.objects.values_list("version__sop_id").annotate(n=Count("id")).order_by())
    waived = dict(
        StepState.objects.filter(status=StepStatus.WAIVED)
        .values_list("run__version__sop_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    summaries = []
    for sop in sops:
        live = next((v for v in sop.versions.all() if v.status in LIVE_STATUSES), None)
        count, exceptions = runs.get(sop.pk, 0), waived.get(sop.pk, 0)
        overdue = bool(live and live.review_due_at and live.review_due_at < now)
        busy = count >= MIN_RUNS_FOR_RATES
        summaries.append(
            SopSummary(
                sop=sop,
                live=live,
                title=version_title(live) if live else sop.key,
                runs=count,
                waived=exceptions,
                review_overdue=overdue,
                needs_review=overdue or (busy and exceptions / count >= WAIVE_RATE_FOR_REVIEW),
            )
        )
    return summaries


def step_health(version: SopVersion) -> list[StepHealth]:
    """Per step of one version: how often it ended, was waived, or ended (or stands) late."""
    now = clock.now()
    rows: dict[str, dict[str, int]] = {
        row["step_id"]: {"ended": row["ended"], "waived": row["waived"], "late": row["late"]}
        for row in StepState.objects.filter(run__version=version)
        .values("step_id")
        .annotate(
            ended=Count("id", filter=Q(status__in=[StepStatus.DONE, StepStatus.WAIVED])),
            waived=Count("id", filter=Q(status=StepStatus.WAIVED)),
            late=Count(
                "id",
                filter=Q(completed_at__gt=F("deadline_at"))
                | Q(status=StepStatus.OPEN, deadline_at__lt=now),
            ),
        )
        .order_by()
    }
    language = reader_language()
    health = []
    for step in version_document(version).steps:
        row: dict[str, int] = rows.get(step.id, {})
        health.append(
            StepHealth(
                step_id=step.id,
                title=step.title.get(language),
                ended=row.get("ended", 0),
                waived=row.get("waived", 0),
                late=row.get("late", 0),
            )
        )
    return health


@dataclass(frozen=True)
class ExceptionCount:
    """How often one step of one SOP version was waived or settled by a special policy."""

    sop_key: str
    version: int
    # Empty for special policies granted for a ticket as a whole.
    step_id: str
    waived: int
    special_policy: int

    @property
    def total(self) -> int:
        return self.waived + self.special_policy


def exceptions_per_step(
    *, version: SopVersion | None = None, since: datetime | None = None
) -> list[ExceptionCount]:
    """Exceptions counted per SOP key, version and step in one grouped query, most first."""
    rows = SopException.objects.all()
    if version is not None:
        rows = rows.filter(version=version)
    if since is not None:
        rows = rows.filter(at__gte=since)
    grouped = (
        rows.values("version__sop__key", "version__number", "step_id")
        .annotate(
            waived=Count("id", filter=Q(kind=ExceptionKind.WAIVED)),
            special_policy=Count("id", filter=Q(kind=ExceptionKind.SPECIAL_POLICY)),
            total=Count("id"),
        )
        .order_by("-total", "version__sop__key", "version__number", "step_id")
    )
    return [
        ExceptionCount(
            sop_key=row["version__sop__key"],
            version=row["version__number"],
            step_id=row["step_id"],
            waived=row["waived"],
            special_policy=row["special_policy"],
        )
        for row in grouped
    ]


def version_diff(older: SopVersion, newer: SopVersion) -> list[tuple[str, str]]:
    """The YAML of two versions line by line: (kind, text), kind being same, added or removed."""
    lines = []
    for line in difflib.ndiff(older.source.splitlines(), newer.source.splitlines()):
        code, text = line[:2], line[2:]
        if code == "? ":
            continue
        lines.append(({"+ ": "added", "- ": "removed"}.get(code, "same"), text))
    return lines


def unread_versions(user: User) -> list[SopVersion]:
    """Live SOP versions this person has not confirmed reading yet."""
    return list(
        SopVersion.objects.filter(status__in=LIVE_STATUSES)
        .exclude(acknowledgements__user=user)
        .select_related("sop")
        .defer("document", "source")
        .order_by("sop__key")
    )


def acknowledgements_of(version: SopVersion) -> list[Acknowledgement]:
    return list(version.acknowledgements.select_related("user").order_by("acknowledged_at", "pk"))
