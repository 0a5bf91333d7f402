"""KPI endpoints: every metric of a slice as JSON, each with its definition, and the tickets
behind a number. A period or filter that names nothing is answered 422 with the reason."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from sigap.api.auth import caller
from sigap.api.errors import Problem, problem_response, problems
from sigap.core.errors import InvalidInput
from sigap.metrics.definitions import COHORTS, KPIS
from sigap.metrics.drilldown import cohort_page
from sigap.metrics.kpis import Report, kpis_compute
from sigap.metrics.slices import Slice, slice_for

router = Router(tags=["metrics"])

PERIOD_HELP = "A month like 2026-10 or an ISO week like 2026-W43, in the desk's time zone."


class MetricKpiDefinitionOut(Schema):
    key: str
    name: str
    definition: str
    unit: Literal["seconds", "percent", "score", "count"]


class MetricKpiOut(MetricKpiDefinitionOut):
    value: float | None
    counted_over: int


class MetricPeriodOut(Schema):
    key: str
    kind: Literal["month", "week"]
    first_day: date
    last_day: date


class MetricSliceOut(Schema):
    teams: list[int] | None
    agent: int | None
    channel: str | None
    sop: int | None
    sop_version: int | None


class MetricTrendPointOut(Schema):
    day: date
    tickets_opened: int
    tickets_resolved: int
    first_response_time: float | None
    resolution_time: float | None
    sla_compliance: float | None


class MetricBreakdownOut(Schema):
    tickets_opened: int
    first_response_time: float | None
    average_response_time: float | None
    sla_compliance: float | None
    sop_step_compliance: float | None
    exceptions: int
    resolution_time: float | None
    resolution_business_time: float | None
    first_contact_resolution: float | None
    reopen_rate: float | None


class MetricChannelOut(MetricBreakdownOut):
    channel: str
    label: str
    csat: float | None
    nps: float | None


class MetricSopOut(MetricBreakdownOut):
    sop_id: int | None
    sop: str | None


class MetricStepOut(Schema):
    sop: str | None
    sop_title: str | None
    version: int | None
    step_id: str
    late: int
    waived: int
    special_policy: int


class MetricEscalationCountOut(Schema):
    level: int
    count: int


class MetricsOut(Schema):
    period: MetricPeriodOut
    slice: MetricSliceOut
    is_empty: bool
    kpis: list[MetricKpiOut]
    trend: list[MetricTrendPointOut]
    by_channel: list[MetricChannelOut]
    by_sop: list[MetricSopOut]
    steps: list[MetricStepOut]
    escalations: list[MetricEscalationCountOut]


class MetricTicketOut(Schema):
    id: int
    reference: str
    subject: str
    channel: str
    status: str
    opened_at: datetime
    first_resolved_at: datetime | None
    team_id: int | None
    agent_id: int | None


class MetricTicketPage(Schema):
    items: list[MetricTicketOut]
    next_cursor: str | None


def _unprocessable(error: InvalidInput) -> HttpResponse:
    return problem_response(422, "invalid_slice", error.message, field=error.field)


def _slice(request: HttpRequest, query: dict[str, Any]) -> Slice:
    return slice_for(user=caller(request), **query)


def metrics_out(report: Report) -> dict[str, Any]:
    period = report.slice.period
    s = report.slice
    return {
        "period": {
            "key": period.key,
            "kind": period.kind,
            "first_day": period.first,
            "last_day": period.end - timedelta(days=1),
        },
        "slice": {
            "teams": list(s.team_ids) if s.team_ids is not None else None,
            "agent": s.agent_id,
            "channel": s.channel,
            "sop": s.sop_id,
            "sop_version": s.sop_version_id,
        },
        "is_empty": report.is_empty,
        "kpis": [
            {
                "key": kpi.key,
                "name": str(kpi.name),
                "definition": str(kpi.definition),
                "unit": kpi.unit,
                "value": report.values[kpi.key],
                "counted_over": report.bases[kpi.key],
            }
            for kpi in KPIS
        ],
        "trend": report.trend,
        "by_channel": report.by_channel,
        "by_sop": report.by_sop,
        "steps": report.steps,
        "escalations": report.escalations,
    }


@router.get(
    "/metrics",
    response={200: MetricsOut, 422: Problem, **problems(403)},
    summary="Every KPI of a period, optionally for one team, agent, channel, SOP or SOP version",
    description=(
        f"`period`: {PERIOD_HELP} Each KPI comes with its definition and the number of things "
        "it was counted over; `value` is null when there was nothing to count. Supervisors see "
        "their own teams; managers every team; agents are refused (403)."
    ),
)
def metrics_get(
    request: HttpRequest,
    period: str,
    team: str | None = None,
    agent: str | None = None,
    channel: str | None = None,
    sop: str | None = None,
    sop_version: str | None = None,
) -> Any:
    query = {"period": period, "team": team, "agent": agent, "channel": channel}
    try:
        chosen = _slice(request, {**query, "sop": sop, "sop_version": sop_version})
    except InvalidInput as error:
        return _unprocessable(error)
    return metrics_out(kpis_compute(chosen))


@router.get(
    "/metrics/definitions",
    response={200: list[MetricKpiDefinitionOut], **problems()},
    summary="What each KPI means",
)
def metrics_definitions(request: HttpRequest) -> list[dict[str, str]]:
    return [
        {"key": k.key, "name": str(k.name), "definition": str(k.definition), "unit": k.unit}
        for k in KPIS
    ]


@router.get(
    "/metrics/tickets",
    response={200: MetricTicketPage, 422: Problem, **problems(403)},
    summary="The tickets behind a number, newest first",
    description=(
        f"`cohort` is one of: {', '.join(COHORTS)} (each KPI's definition says which). "
        "Paged by key: pass `next_cursor` back as `cursor`."
    ),
)
def metrics_tickets(
    request: HttpRequest,
    period: str,
    cohort: str,
    team: str | None = None,
    agent: str | None = None,
    channel: str | None = None,
    sop: str | None = None,
    sop_version: str | None = None,
    cursor: str | None = None,
) -> Any:
    query = {"period": period, "team": team, "agent": agent, "channel": channel}
    try:
        chosen = _slice(request, {**query, "sop": sop, "sop_version": sop_version})
        page = cohort_page(chosen, cohort, cursor=cursor)
    except InvalidInput as error:
        return _unprocessable(error)
    return {
        "items": [
            {
                "id": fact.ticket_id,
                "reference": fact.ticket.reference,
                "subject": fact.ticket.subject,
                "channel": fact.channel,
                "status": fact.ticket.status,
                "opened_at": fact.opened_at,
                "first_resolved_at": fact.first_resolved_at,
                "team_id": fact.team_id,
                "agent_id": fact.agent_id,
            }
            for fact in page.items
        ],
        "next_cursor": page.next_cursor,
    }
