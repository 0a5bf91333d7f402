"""A slice's KPIs as a CSV or a PDF file: the same Report the dashboard shows.

The PDF is drawn with fpdf2's built-in fonts from plain text cells only: no images, no HTML,
no links followed, so nothing in a ticket, SOP or team name can make it read a file or a URL.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.utils.translation import gettext as _
from fpdf import FPDF

from sigap.metrics.definitions import KPIS
from sigap.metrics.formatting import figure
from sigap.metrics.kpis import Report

FORMATS = ("csv", "pdf")

# The built-in PDF fonts know Latin-1 only; these are the typographic marks our own words use.
_PLAIN = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "−": "-"})


def _title(report: Report) -> str:
    period = report.slice.period
    last = period.end - timedelta(days=1)
    return _("Sigap report %(period)s (%(first)s to %(last)s)") % {
        "period": period.key,
        "first": period.first.isoformat(),
        "last": last.isoformat(),
    }


def _slice_words(report: Report) -> str:
    s = report.slice
    parts = []
    if s.team_ids is not None:
        parts.append(_("teams %(ids)s") % {"ids": ", ".join(map(str, s.team_ids))})
    if s.agent_id is not None:
        parts.append(_("agent %(id)s") % {"id": s.agent_id})
    if s.channel is not None:
        parts.append(_("channel %(channel)s") % {"channel": s.channel})
    if s.sop_id is not None:
        parts.append(_("SOP %(id)s") % {"id": s.sop_id})
    if s.sop_version_id is not None:
        parts.append(_("SOP version %(id)s") % {"id": s.sop_version_id})
    return "; ".join(parts) or _("the whole desk")


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_title(report)])
    writer.writerow([_("Slice"), _slice_words(report)])
    writer.writerow([])
    writer.writerow(
        ["kpi", _("KPI"), _("value"), _("shown as"), _("counted over"), _("definition")]
    )
    for kpi in KPIS:
        value = report.values[kpi.key]
        writer.writerow(
            [
                kpi.key,
                str(kpi.name),
                "" if value is None else value,
                figure(kpi.key, value),
                report.bases[kpi.key],
                str(kpi.definition),
            ]
        )
    writer.writerow([])
    channel_keys = ["tickets_opened", "first_response_time", "resolution_time", "sla_compliance"]
    writer.writerow([_("channel"), *channel_keys, "csat"])
    for row in report.by_channel:
        writer.writerow(
            [row["channel"], *(_blank(row[k]) for k in channel_keys), _blank(row["csat"])]
        )
    writer.writerow([])
    writer.writerow(
        [_("SOP"), _("version"), _("step"), _("late"), _("waived"), _("special policy")]
    )
    for step in report.steps:
        writer.writerow(
            [
                step["sop"],
                step["version"],
                step["step_id"],
                step["late"],
                step["waived"],
                step["special_policy"],
            ]
        )
    writer.writerow([])
    writer.writerow([_("escalation level"), _("escalations")])
    for row in report.escalations:
        writer.writerow([row["level"], row["count"]])
    return out.getvalue()


def _blank(value: object) -> object:
    return "" if value is None else value


def _latin(text: object) -> str:
    return str(text).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def report_pdf(report: Report) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, _latin(_title(report)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 6, _latin(_slice_words(report)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for kpi in KPIS:
        pdf.set_font("Helvetica", "B", 11)
        value = figure(kpi.key, report.values[kpi.key])
        line = f"{kpi.name}: {value}  ({_('counted over')} {report.bases[kpi.key]})"
        pdf.multi_cell(0, 6, _latin(line), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8)
        pdf.multi_cell(0, 4, _latin(kpi.definition), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    _pdf_table(
        pdf,
        _("By channel"),
        [_("channel"), _("opened"), _("first response"), _("resolution"), _("SLA"), "CSAT"],
        [
            [
                row["label"],
                figure("tickets_opened", row["tickets_opened"]),
                figure("first_response_time", row["first_response_time"]),
                figure("resolution_time", row["resolution_time"]),
                figure("sla_compliance", row["sla_compliance"]),
                figure("csat", row["csat"]),
            ]
            for row in report.by_channel
        ],
    )
    _pdf_table(
        pdf,
        _("SOP steps most often late or waived"),
        [_("SOP"), _("step"), _("late"), _("waived"), _("special policy")],
        [
            [
                f"{step['sop']} v{step['version']}",
                step["step_id"] or "-",
                str(step["late"]),
                str(step["waived"]),
                str(step["special_policy"]),
            ]
            for step in report.steps
        ],
    )
    _pdf_table(
        pdf,
        _("Escalations per level"),
        [_("level"), _("escalations")],
        [[f"L{row['level']}", str(row["count"])] for row in report.escalations],
    )
    return bytes(pdf.output())


def _pdf_table(pdf: FPDF, title: str, head: list[str], rows: list[list[str]]) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 7, _latin(title), new_x="LMARGIN", new_y="NEXT")
    if not rows:
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, _latin(_("no data")), new_x="LMARGIN", new_y="NEXT")
        return
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(head)
    pdf.set_font("Helvetica", "B", 9)
    for cell in head:
        pdf.cell(width, 6, _latin(cell)[:40], border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for row in rows:
        for cell in row:
            pdf.cell(width, 6, _latin(cell)[:40], border=1)
        pdf.ln()
