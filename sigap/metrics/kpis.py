"""Counting the KPIs of a slice: grouped SQL aggregations over the fact rows.

The tickets opened in the period are read in one grouped query (by day, channel and SOP), the
tickets first resolved in it in another; the totals, the daily trend and the breakdowns are
sums over those few hundred groups. Surveys, escalations and step issues are one grouped query
each. A number with nothing to count is None, never a made-up 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from sigap.core import clock
from sigap.feedback.models import Survey, SurveyKind
from sigap.metrics.models import DayFigures, StepIssue, StepIssueKind, TicketFact
from sigap.metrics.periods import local_date
from sigap.metrics.refresh import REOPEN_WINDOW
from sigap.metrics.slices import Slice
from sigap.sla.models import Escalation
from sigap.sops.models import Sop, SopVersion
from sigap.tickets.models import Channel

TOP_STEPS = 10


def _ratio(part: float, whole: float, scale: float = 100.0) -> float | None:
    return None if not whole else round(part * scale / whole, 2)


def _mean(total: float | None, count: float) -> float | None:
    return None if not count or total is None else round(total / count, 1)


@dataclass
class _Opened:
    tickets: int = 0
    answered: int = 0
    first_response: float = 0.0
    responses: int = 0
    response_seconds: float = 0.0
    sla_met: int = 0
    sla_breached: int = 0
    steps_due: int = 0
    steps_on_time: int = 0
    exceptions: int = 0

    def add(self, row: dict[str, Any]) -> None:
        self.tickets += row["tickets"]
        self.answered += row["answered"]
        self.first_response += row["first_response"] or 0.0
        self.responses += row["responses"] or 0
        self.response_seconds += row["response_seconds"] or 0.0
        self.sla_met += row["sla_met"] or 0
        self.sla_breached += row["sla_breached"] or 0
        self.steps_due += row["steps_due"] or 0
        self.steps_on_time += row["steps_on_time"] or 0
        self.exceptions += row["exceptions"] or 0

    def figures(self) -> dict[str, Any]:
        return {
            "tickets_opened": self.tickets,
            "first_response_time": _mean(self.first_response, self.answered),
            "average_response_time": _mean(self.response_seconds, self.responses),
            "sla_compliance": _ratio(self.sla_met, self.sla_met + self.sla_breached),
            "sop_step_compliance": _ratio(self.steps_on_time, self.steps_due),
            "exceptions": self.exceptions,
        }

    def bases(self) -> dict[str, int]:
        return {
            "tickets_opened": self.tickets,
            "first_response_time": self.answered,
            "average_response_time": self.responses,
            "sla_compliance": self.sla_met + self.sla_breached,
            "sop_step_compliance": self.steps_due,
            "exceptions": self.exceptions,
        }


@dataclass
class _Resolved:
    tickets: int = 0
    seconds: float = 0.0
    business_seconds: float = 0.0
    reopened: int = 0
    decided: int = 0
    first_contact: int = 0

    def add(self, row: dict[str, Any]) -> None:
        self.tickets += row["tickets"]
        self.seconds += row["seconds"] or 0.0
        self.business_seconds += row["business_seconds"] or 0.0
        self.reopened += row["reopened"]
        self.decided += row["decided"]
        self.first_contact += row["first_contact"]

    def figures(self) -> dict[str, Any]:
        return {
            "resolution_time": _mean(self.seconds, self.tickets),
            "resolution_business_time": _mean(self.business_seconds, self.tickets),
            "first_contact_resolution": _ratio(self.first_contact, self.decided),
            "reopen_rate": _ratio(self.reopened, self.tickets),
        }

    def bases(self) -> dict[str, int]:
        return {
            "resolution_time": self.tickets,
            "resolution_business_time": self.tickets,
            "first_contact_resolution": self.decided,
            "reopen_rate": self.tickets,
        }


@dataclass
class _Surveys:
    csat_answers: int = 0
    csat_satisfied: int = 0
    nps_answers: int = 0
    promoters: int = 0
    detractors: int = 0

    def add(self, row: dict[str, Any]) -> None:
        if row["kind"] == SurveyKind.CSAT:
            self.csat_answers += row["answers"]
            self.csat_satisfied += row["high"]
        else:
            self.nps_answers += row["answers"]
            self.promoters += row["high"]
            self.detractors += row["low"]

    def figures(self) -> dict[str, Any]:
        nps = None
        if self.nps_answers:
            nps = round((self.promoters - self.detractors) * 100 / self.nps_answers, 1)
        return {"csat": _ratio(self.csat_satisfied, self.csat_answers), "nps": nps}

    def bases(self) -> dict[str, int]:
        return {"csat": self.csat_answers, "nps": self.nps_answers}


@dataclass
class Report:
    """Everything the dashboard, a report and the API show for one slice."""

    slice: Slice
    values: dict[str, Any]
    bases: dict[str, int]
    trend: list[dict[str, Any]] = field(default_factory=list)
    by_channel: list[dict[str, Any]] = field(default_factory=list)
    by_sop: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(self.bases.values())


def _day_figures(s: Slice) -> QuerySet[DayFigures]:
    return DayFigures.objects.filter(s.condition(), day__gte=s.period.first, day__lt=s.period.end)


def _opened_rows(s: Slice) -> list[dict[str, Any]]:
    if s.agent_id is None:
        rows = (
            _day_figures(s)
            .values("channel", "sop_id", opened_on=F("day"))
            .annotate(
                tickets=Sum("tickets"),
                answered=Sum("answered"),
                first_response=Sum("first_response"),
                responses=Sum("responses"),
                response_seconds=Sum("response_seconds"),
                sla_met=Sum("sla_met"),
                sla_breached=Sum("sla_breached"),
                steps_due=Sum("steps_due"),
                steps_on_time=Sum("steps_on_time"),
                exceptions=Sum("exceptions"),
            )
            .order_by()
        )
        return [row for row in cast(list[dict[str, Any]], list(rows)) if row["tickets"]]
    return cast(
        list[dict[str, Any]],
        list(
            s.facts("opened_on")
            .values("opened_on", "channel", "sop_id")
            .annotate(
                tickets=Count("pk"),
                answered=Count("first_response_seconds"),
                first_response=Sum("first_response_seconds"),
                responses=Sum("response_count"),
                response_seconds=Sum("response_seconds"),
                sla_met=Sum("sla_met"),
                sla_breached=Sum("sla_breached"),
                steps_due=Sum("steps_due"),
                steps_on_time=Sum("steps_on_time"),
                exceptions=Sum("exceptions"),
            )
            .order_by()
        ),
    )


def fcr_decided_through() -> date:
    """The last day whose resolutions have had their full 7 days without a reopening: a whole
    day later than 7 days, so a ticket is never counted while it may still be reopened."""
    return local_date(clock.now()) - REOPEN_WINDOW - timedelta(days=1)


def _resolved_rows(s: Slice) -> list[dict[str, Any]]:
    decided_through = fcr_decided_through()
    if s.agent_id is None:
        decided = Q(day__lte=decided_through)
        rows = (
            _day_figures(s)
            .values("channel", "sop_id", first_resolved_on=F("day"))
            .annotate(
                tickets=Sum("resolved"),
                seconds=Sum("resolution_seconds"),
                business_seconds=Sum("resolution_business_seconds"),
                reopened=Sum("reopened"),
                decided=Coalesce(Sum("resolved", filter=decided), 0),
                first_contact=Coalesce(Sum("first_contact", filter=decided), 0),
            )
            .order_by()
        )
        return [row for row in cast(list[dict[str, Any]], list(rows)) if row["tickets"]]
    decided = Q(first_resolved_on__lte=decided_through)
    return cast(
        list[dict[str, Any]],
        list(
            s.facts("first_resolved_on")
            .values("first_resolved_on", "channel", "sop_id")
            .annotate(
                tickets=Count("pk"),
                seconds=Sum("resolution_seconds"),
                business_seconds=Sum("resolution_business_seconds"),
                reopened=Count("pk", filter=Q(reopen_count__gt=0)),
                decided=Count("pk", filter=decided),
                first_contact=Count("pk", filter=decided & Q(is_first_contact_resolution=True)),
            )
            .order_by()
        ),
    )


def _survey_rows(s: Slice) -> list[dict[str, Any]]:
    surveys = Survey.objects.filter(
        # Both kinds named, so the (kind, answered_at) index serves the range for each.
        kind__in=[SurveyKind.CSAT, SurveyKind.NPS],
        answered_at__gte=s.period.starts_at,
        answered_at__lt=s.period.ends_at,
        score__isnull=False,
    )
    if s.is_narrowed:
        surveys = surveys.filter(_in_slice(s))
    return cast(
        list[dict[str, Any]],
        list(
            surveys.values("kind", ticket_channel=_fact_channel())
            .annotate(
                answers=Count("pk"),
                high=Count(
                    "pk",
                    filter=Q(kind=SurveyKind.CSAT, score__gte=4)
                    | Q(kind=SurveyKind.NPS, score__gte=9),
                ),
                low=Count("pk", filter=Q(kind=SurveyKind.NPS, score__lte=6)),
            )
            .order_by()
        ),
    )


def _in_slice(s: Slice) -> Exists:
    """A row of another table (by its ticket_id) whose ticket is in the slice: one lookup of
    the figures by key per row, not a join through the tickets table."""
    return Exists(TicketFact.objects.filter(s.condition(), pk=OuterRef("ticket_id")))


def _fact_channel() -> Subquery:
    # Straight from the fact by its key: the path through the ticket would read both tables.
    return Subquery(TicketFact.objects.filter(pk=OuterRef("ticket_id")).values("channel")[:1])


def _retention(s: Slice) -> tuple[float | None, int]:
    """The whole desk: tickets whose customer's previous contact came before the previous
    period (one per customer in it), and tickets of this period whose previous contact fell in
    the previous period (one per returning customer): two index-only counts. A slice looks at
    its own contacts only, so it reads each customer's first and last contact in both."""
    earlier = s.previous().period
    if not s.is_narrowed:
        facts = TicketFact.objects
        base = (
            facts.filter(opened_on__gte=earlier.first, opened_on__lt=earlier.end)
            .filter(Q(previous_contact_on__isnull=True) | Q(previous_contact_on__lt=earlier.first))
            .count()
        )
        if not base:
            return None, 0
        returning = facts.filter(
            opened_on__gte=s.period.first,
            opened_on__lt=s.period.end,
            previous_contact_on__gte=earlier.first,
            previous_contact_on__lt=earlier.end,
        ).count()
        return _ratio(returning, base), base
    customers = (
        TicketFact.objects.filter(
            s.condition(), opened_on__gte=earlier.first, opened_on__lt=s.period.end
        )
        .values("customer_id")
        .annotate(first=Min("opened_on"), last=Max("opened_on"))
        .order_by()
    )
    came_before = Q(first__lt=s.period.first)
    totals = customers.aggregate(
        base=Count("customer_id", filter=came_before),
        returning=Count("customer_id", filter=came_before & Q(last__gte=s.period.first)),
    )
    base = int(totals["base"] or 0)
    if not base:
        return None, 0
    return _ratio(int(totals["returning"] or 0), base), base


def _backlog(s: Slice) -> int:
    """Open at the end of the period: opened up to then, less closed (latest resolution still
    standing) up to then. From the day figures; for one agent from the facts, as two index
    ranges rather than one OR that makes a database read every ticket opened before the end."""
    end = s.period.end
    if s.agent_id is None:
        totals = DayFigures.objects.filter(s.condition(), day__lt=end).aggregate(
            opened=Coalesce(Sum("tickets"), 0), closed=Coalesce(Sum("closed"), 0)
        )
        return int(totals["opened"] - totals["closed"])
    opened_before = TicketFact.objects.filter(s.condition(), opened_on__lt=end)
    still_active = opened_before.filter(closed_on__isnull=True).count()
    resolved_later = opened_before.filter(closed_on__gte=end).count()
    return still_active + resolved_later


def _escalations(s: Slice) -> list[dict[str, Any]]:
    rows = Escalation.objects.filter(at__gte=s.period.starts_at, at__lt=s.period.ends_at)
    if s.is_narrowed:
        rows = rows.filter(_in_slice(s))
    return [
        {"level": row["level"], "count": row["count"]}
        for row in rows.values("level").annotate(count=Count("pk")).order_by("level")
    ]


def _steps(s: Slice) -> list[dict[str, Any]]:
    rows = (
        StepIssue.objects.filter(
            s.condition(), opened_on__gte=s.period.first, opened_on__lt=s.period.end
        )
        .values("sop_version_id", "step_id")
        .annotate(
            late=Count("pk", filter=Q(kind=StepIssueKind.LATE)),
            waived=Count("pk", filter=Q(kind=StepIssueKind.WAIVED)),
            special_policy=Count("pk", filter=Q(kind=StepIssueKind.SPECIAL_POLICY)),
            total=Count("pk"),
        )
        .order_by("-total", "sop_version_id", "step_id")[:TOP_STEPS]
    )
    found = list(rows)
    versions: dict[int, dict[str, Any]] = {
        v["pk"]: dict(v)
        for v in SopVersion.objects.filter(pk__in={r["sop_version_id"] for r in found}).values(
            "pk", "number", "sop__key", "title"
        )
    }
    return [
        {
            "sop": versions.get(r["sop_version_id"], {}).get("sop__key"),
            "sop_title": versions.get(r["sop_version_id"], {}).get("title"),
            "version": versions.get(r["sop_version_id"], {}).get("number"),
            "step_id": r["step_id"],
            "late": r["late"],
            "waived": r["waived"],
            "special_policy": r["special_policy"],
        }
        for r in found
    ]


def _grouped(
    rows: Iterable[dict[str, Any]], key: str, make: type[_Opened] | type[_Resolved]
) -> dict[Any, Any]:
    groups: dict[Any, Any] = defaultdict(make)
    for row in rows:
        groups[row[key]].add(row)
    return groups


def kpis_compute(s: Slice) -> Report:
    """All KPIs of the slice, its daily trend and its breakdowns by channel and SOP."""
    opened_rows = _opened_rows(s)
    resolved_rows = _resolved_rows(s)
    survey_rows = _survey_rows(s)
    opened, resolved, surveys = _Opened(), _Resolved(), _Surveys()
    for row in opened_rows:
        opened.add(row)
    for row in resolved_rows:
        resolved.add(row)
    for row in survey_rows:
        surveys.add(row)
    retention, retention_base = _retention(s)
    escalations = _escalations(s)
    values = {
        **opened.figures(),
        **resolved.figures(),
        **surveys.figures(),
        "retention": retention,
        "escalations": sum(e["count"] for e in escalations),
        "backlog": _backlog(s),
    }
    bases = {
        **opened.bases(),
        **resolved.bases(),
        **surveys.bases(),
        "retention": retention_base,
        "escalations": values["escalations"],
        "backlog": values["backlog"],
    }
    return Report(
        slice=s,
        values=values,
        bases=bases,
        trend=_trend(s, opened_rows, resolved_rows),
        by_channel=_by_channel(opened_rows, resolved_rows, survey_rows),
        by_sop=_by_sop(opened_rows, resolved_rows),
        steps=_steps(s),
        escalations=escalations,
    )


def _trend(
    s: Slice, opened_rows: list[dict[str, Any]], resolved_rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    opened = _grouped(opened_rows, "opened_on", _Opened)
    resolved = _grouped(resolved_rows, "first_resolved_on", _Resolved)
    trend = []
    for day in s.period.days:
        o, r = opened.get(day, _Opened()), resolved.get(day, _Resolved())
        trend.append(
            {
                "day": day.isoformat(),
                "tickets_opened": o.tickets,
                "tickets_resolved": r.tickets,
                "first_response_time": o.figures()["first_response_time"],
                "resolution_time": r.figures()["resolution_time"],
                "sla_compliance": o.figures()["sla_compliance"],
            }
        )
    return trend


def _by_channel(
    opened_rows: list[dict[str, Any]],
    resolved_rows: list[dict[str, Any]],
    survey_rows: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    opened = _grouped(opened_rows, "channel", _Opened)
    resolved = _grouped(resolved_rows, "channel", _Resolved)
    surveys: dict[Any, _Surveys] = defaultdict(_Surveys)
    for row in survey_rows:
        surveys[row["ticket_channel"]].add(row)
    result = []
    for channel in Channel:
        if channel.value not in opened and channel.value not in resolved:
            continue
        o = opened.get(channel.value, _Opened())
        r = resolved.get(channel.value, _Resolved())
        result.append(
            {
                "channel": channel.value,
                "label": str(channel.label),
                **o.figures(),
                **r.figures(),
                **surveys[channel.value].figures(),
            }
        )
    return result


def _by_sop(
    opened_rows: list[dict[str, Any]], resolved_rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    opened = _grouped(opened_rows, "sop_id", _Opened)
    resolved = _grouped(resolved_rows, "sop_id", _Resolved)
    keys = dict(Sop.objects.filter(pk__in=set(opened) | set(resolved)).values_list("pk", "key"))
    result = []
    for sop_id in sorted(set(opened) | set(resolved), key=lambda k: (k is None, keys.get(k, ""))):
        o = opened.get(sop_id, _Opened())
        r = resolved.get(sop_id, _Resolved())
        result.append({"sop_id": sop_id, "sop": keys.get(sop_id), **o.figures(), **r.figures()})
    return result


def report_as_dict(report: Report) -> dict[str, Any]:
    period = report.slice.period
    return {
        "period": {
            "key": period.key,
            "kind": period.kind,
            "first_day": period.first.isoformat(),
            "last_day": (period.end - timedelta(days=1)).isoformat(),
        },
        "slice": report.slice.as_dict(),
        "is_empty": report.is_empty,
        "values": report.values,
        "bases": report.bases,
        "trend": report.trend,
        "by_channel": report.by_channel,
        "by_sop": report.by_sop,
        "steps": report.steps,
        "escalations": report.escalations,
    }
