"""What the ticket's SOP says about follow-up and surveys; the defaults when it says nothing."""

from __future__ import annotations

from sigap.sops.document import FollowUpPlan, SurveyPlan
from sigap.sops.models import SopRun
from sigap.sops.services import version_document
from sigap.tickets.models import Ticket


def _latest_run(ticket: Ticket) -> SopRun | None:
    # The run a resolved ticket was worked under; a switch ends the old run and starts another.
    return (
        SopRun.objects.select_related("version", "version__sop")
        .filter(ticket=ticket)
        .order_by("-started_at", "-pk")
        .first()
    )


def follow_up_plan(ticket: Ticket) -> FollowUpPlan:
    run = _latest_run(ticket)
    return version_document(run.version).follow_up if run else FollowUpPlan()


def survey_plan(ticket: Ticket) -> SurveyPlan:
    run = _latest_run(ticket)
    return version_document(run.version).surveys if run else SurveyPlan()
