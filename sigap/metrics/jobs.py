"""Background work for metrics: folding new timeline events into the facts, and the weekly and
monthly reports mailed to managers once their period is over."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core import clock
from sigap.core.jobs import due_poller, job_enqueue, job_handler
from sigap.metrics.kpis import kpis_compute
from sigap.metrics.models import ScheduledReport
from sigap.metrics.periods import Period, local_date, month_of, period_parse, week_of
from sigap.metrics.refresh import facts_catch_up
from sigap.metrics.reports import report_csv, report_pdf
from sigap.metrics.slices import Slice

REPORT_MAIL = "metrics_report_mail"


# Batches folded per executor pass: a desk coming back after downtime catches up over a few
# passes instead of holding up the other due work.
BATCHES_PER_PASS = 10


@due_poller("metrics_facts")
def metrics_facts_poll() -> int:
    """Bring the facts up to date. Returns 0: keeping a rollup current is bookkeeping, not a
    job done, and must not keep the executor spinning or count as work in its pass."""
    for _batch in range(BATCHES_PER_PASS):
        if not facts_catch_up():
            break
    return 0


def managers() -> list[User]:
    """Who receives the scheduled reports: active people who see every team, with an address."""
    return list(
        User.objects.filter(
            is_active=True,
            groups__permissions__codename="view_all_tickets",
            groups__permissions__content_type__app_label="tickets",
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def finished_periods() -> list[Period]:
    """The last week and the last month that are over, in the desk's time zone."""
    today = local_date(clock.now())
    return [week_of(today).previous(), month_of(today).previous()]


def reports_schedule(periods: list[Period]) -> int:
    """Write one mail job per manager for each period not reported yet. Returns how many.

    Periods that were already over when the desk first ran this are recorded, not mailed: a
    new desk has no history worth a report. A period without tickets is recorded, not mailed.
    """
    if not ScheduledReport.objects.exists():
        for period in periods:
            ScheduledReport.objects.get_or_create(
                period=period.key, defaults={"generated_at": clock.now()}
            )
        return 0
    queued = 0
    for period in periods:
        if ScheduledReport.objects.filter(period=period.key).exists():
            continue
        if not Slice(period=period).facts("opened_on").exists():
            ScheduledReport.objects.get_or_create(
                period=period.key, defaults={"generated_at": clock.now()}
            )
            continue
        try:
            with transaction.atomic():
                people = managers()
                ScheduledReport.objects.create(
                    period=period.key, generated_at=clock.now(), recipients=len(people)
                )
                for person in people:
                    job_enqueue(
                        kind=REPORT_MAIL,
                        payload={"period": period.key, "user": person.pk},
                        idempotency_key=f"metrics-report:{period.key}:{person.pk}",
                    )
                    queued += 1
        except IntegrityError:
            # Another worker scheduled this period at the same moment.
            continue
    return queued


@due_poller("metrics_reports")
def metrics_reports_poll() -> int:
    # The mail jobs it writes are claimed later in the same pass; they are the work counted.
    reports_schedule(finished_periods())
    return 0


@job_handler(REPORT_MAIL)
def metrics_report_mail(payload: dict[str, Any]) -> None:
    person = User.objects.filter(pk=int(payload["user"]), is_active=True).first()
    if person is None or not person.email:
        return
    period = period_parse(str(payload["period"]))
    with translation.override(person.language or settings.LANGUAGE_CODE):
        report = kpis_compute(Slice(period=period))
        kind = _("Weekly") if period.kind == "week" else _("Monthly")
        subject = _("%(kind)s desk report %(period)s") % {"kind": kind, "period": period.key}
        body = _(
            "Hello %(name)s,\n\nThe desk's figures for %(period)s are attached, as a PDF to "
            "read and as a CSV for a spreadsheet. Each number comes with its definition."
        ) % {"name": person.display_name, "period": period.key}
        message = EmailMessage(
            subject=subject,
            body=body,
            to=[person.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.attach(f"sigap-{period.key}.pdf", report_pdf(report), "application/pdf")
        message.attach(f"sigap-{period.key}.csv", report_csv(report), "text/csv")
        message.send(fail_silently=False)
