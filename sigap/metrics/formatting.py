"""Numbers as people read them: durations in hours and minutes, percentages, empty states."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sigap.metrics.definitions import BY_KEY


def duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if seconds < 60:
        return _("%(n)d s") % {"n": round(seconds)}
    if minutes < 60:
        return _("%(n)d min") % {"n": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": rest}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours}


def figure(key: str, value: float | None) -> str:
    """One KPI's value for display; "no data" when there was nothing to count."""
    if value is None:
        return _("no data")
    unit = BY_KEY[key].unit if key in BY_KEY else "count"
    if unit == "seconds":
        return duration(value)
    if unit == "percent":
        return f"{value:.1f} %"
    if unit == "score":
        return f"{value:+.1f}"
    return str(int(value))
