"""Keeping DayFigures current: the days a batch of facts touched are summed again from the
facts, with two grouped queries per batch. Python only merges the groups (a few hundred)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum

from sigap.metrics.models import DayFigures, TicketFact

_KEY = ("team_id", "channel", "sop_id", "sop_version_id")
_DAYS_PER_QUERY = 60


def day_figures_refresh(days: Iterable[date]) -> int:
    """Sum these days again from the facts. Returns how many rows they hold now."""
    wanted = sorted(set(days))
    written = 0
    for start in range(0, len(wanted), _DAYS_PER_QUERY):
        written += _refresh(wanted[start : start + _DAYS_PER_QUERY])
    return written


def day_figures_rebuild() -> int:
    """Every day again, from scratch (after a rebuild of the facts)."""
    DayFigures.objects.all().delete()
    opened = TicketFact.objects.values_list("opened_on", flat=True).distinct()
    resolved = TicketFact.objects.exclude(first_resolved_on=None)
    days = set(opened) | set(resolved.values_list("first_resolved_on", flat=True).distinct())
    closed = TicketFact.objects.exclude(closed_on=None).values_list("closed_on", flat=True)
    days |= set(closed.distinct())
    return day_figures_refresh(day for day in days if day is not None)


def _refresh(days: list[date]) -> int:
    rows: dict[tuple[Any, ...], DayFigures] = {}

    def row(day: date, group: dict[str, Any]) -> DayFigures:
        key = (day, *(group[name] for name in _KEY))
        if key not in rows:
            rows[key] = DayFigures(day=day, **{name: group[name] for name in _KEY})
        return rows[key]

    opened = (
        TicketFact.objects.filter(opened_on__in=days)
        .values("opened_on", *_KEY)
        .annotate(
            tickets_=Count("pk"),
            answered_=Count("first_response_seconds"),
            first_response_=Sum("first_response_seconds"),
            responses_=Sum("response_count"),
            response_seconds_=Sum("response_seconds"),
            sla_met_=Sum("sla_met"),
            sla_breached_=Sum("sla_breached"),
            steps_due_=Sum("steps_due"),
            steps_on_time_=Sum("steps_on_time"),
            exceptions_=Sum("exceptions"),
        )
        .order_by()
    )
    for group in opened:
        figures = row(group["opened_on"], group)
        for name in (
            "tickets",
            "answered",
            "first_response",
            "responses",
            "response_seconds",
            "sla_met",
            "sla_breached",
            "steps_due",
            "steps_on_time",
            "exceptions",
        ):
            setattr(figures, name, group[f"{name}_"] or 0)
    resolved = (
        TicketFact.objects.filter(first_resolved_on__in=days)
        .values("first_resolved_on", *_KEY)
        .annotate(
            resolved_=Count("pk"),
            resolution_seconds_=Sum("resolution_seconds"),
            resolution_business_seconds_=Sum("resolution_business_seconds"),
            reopened_=Count("pk", filter=Q(reopen_count__gt=0)),
            first_contact_=Count("pk", filter=Q(is_first_contact_resolution=True)),
        )
        .order_by()
    )
    for group in resolved:
        figures = row(group["first_resolved_on"], group)
        for name in (
            "resolved",
            "resolution_seconds",
            "resolution_business_seconds",
            "reopened",
            "first_contact",
        ):
            setattr(figures, name, group[f"{name}_"] or 0)
    closed = (
        TicketFact.objects.filter(closed_on__in=days)
        .values("closed_on", *_KEY)
        .annotate(closed_=Count("pk"))
        .order_by()
    )
    for group in closed:
        row(group["closed_on"], group).closed = group["closed_"]
    DayFigures.objects.filter(day__in=days).delete()
    DayFigures.objects.bulk_create(rows.values(), batch_size=1000)
    return len(rows)
