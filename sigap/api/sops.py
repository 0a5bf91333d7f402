"""SOP endpoints: list, validate and import documents; a ticket's run, its steps and its special
policies."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status as Respond

from sigap.api.auth import caller
from sigap.api.errors import problems
from sigap.api.schemas.common import PathId
from sigap.api.schemas.sops import (
    DocumentIn,
    DocumentProblem,
    EvidenceOut,
    RunOut,
    SopCreate,
    SopOut,
    SopSwitch,
    SpecialPolicyIn,
    SpecialPolicyOut,
    StepComplete,
    StepOut,
    StepWaive,
    ValidationOut,
    VersionOut,
)
from sigap.core.errors import InvalidInput, NotFound
from sigap.sops.loading import SopInvalid, load_document
from sigap.sops.models import LIVE_STATUSES, Sop, SopVersion
from sigap.sops.selectors import Checklist, ticket_checklist
from sigap.sops.services import (
    sop_import,
    sop_publish,
    sop_special_policy_grant,
    sop_step_complete,
    sop_step_waive,
    sop_switch,
)
from sigap.tickets import access
from sigap.tickets.models import Attachment

router = Router(tags=["sops"])


def _version_out(version: SopVersion) -> VersionOut:
    return VersionOut(
        key=version.sop.key,
        number=version.number,
        status=version.status,
        title=version.title,
        change_notes=version.change_notes,
        published_at=version.published_at,
        review_due_at=version.review_due_at,
    )


# What _sop_out reads: each version's metadata, never its document or YAML.
_VERSIONS = Prefetch("versions", queryset=SopVersion.objects.defer("document", "source"))


def _sop_out(sop: Sop) -> SopOut:
    versions = sorted(sop.versions.all(), key=lambda v: -v.number)
    live = next((v for v in versions if v.status in LIVE_STATUSES), None)
    return SopOut(
        key=sop.key,
        live=_version_out(live) if live else None,
        versions=[_version_out(v) for v in versions],
    )


@router.get(
    "/sops", response={200: list[SopOut], **problems()}, summary="Every SOP and its versions"
)
def sop_list(request: HttpRequest) -> list[SopOut]:
    caller(request)
    return [_sop_out(sop) for sop in Sop.objects.prefetch_related(_VERSIONS).order_by("key")]


@router.post(
    "/sops/validate",
    response={200: ValidationOut, **problems(400)},
    summary="Check a document without saving it",
)
def sop_validate(request: HttpRequest, payload: DocumentIn) -> ValidationOut:
    """For editors: every problem with its line and field, as the author types."""
    caller(request)
    try:
        document = load_document(payload.document)
    except SopInvalid as invalid:
        return ValidationOut(
            valid=False,
            errors=[
                DocumentProblem(line=e.line, field=e.field, message=e.message)
                for e in invalid.errors
            ],
        )
    return ValidationOut(valid=True, key=document.key, errors=[])


@router.post(
    "/sops", response={201: VersionOut, **problems(400, 403, 409)}, summary="Import a document"
)
def sop_create(request: HttpRequest, payload: SopCreate) -> Respond[VersionOut]:
    """A draft of a new SOP or the next version of one; `publish` makes it active at once."""
    user = caller(request)
    version = sop_import(text=payload.document, by=user)
    if payload.publish:
        version = sop_publish(version=version, by=user, notes=payload.notes)
    return Respond(201, _version_out(version))


@router.get("/sops/{key}", response={200: SopOut, **problems(404)}, summary="One SOP")
def sop_get(request: HttpRequest, key: str) -> SopOut:
    caller(request)
    sop = Sop.objects.prefetch_related(_VERSIONS).filter(key=key).first()
    if sop is None:
        raise NotFound(_("No SOP %(key)s.") % {"key": key})
    return _sop_out(sop)


def _evidence_out(attachment: Attachment | None) -> EvidenceOut | None:
    if attachment is None:
        return None
    return EvidenceOut(
        attachment=attachment.pk,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        received_at=attachment.created_at,
    )


def _step_out(checklist: Checklist) -> list[StepOut]:
    return [
        StepOut(
            id=item.step.id,
            kind=item.step.kind,
            title=item.title,
            responsible=item.step.responsible,
            mandatory=item.step.mandatory,
            status=item.state.status,
            deadline_at=item.state.deadline_at,
            is_overdue=item.is_overdue,
            blocks_resolution=item.state.blocks_resolution,
            template=item.template_text,
            options=[o.key for o in item.step.options],
            outcome=item.state.outcome or None,
            outcome_label=item.outcome or None,
            completed_at=item.state.completed_at,
            completed_by=item.state.completed_by.display_name if item.state.completed_by else None,
            waived_at=item.state.waived_at,
            waived_by=item.state.waived_by.display_name if item.state.waived_by else None,
            reason=item.state.reason,
            evidence=_evidence_out(item.state.evidence),
        )
        for item in checklist.steps
    ]


def _run_out(request: HttpRequest, ticket_id: int) -> RunOut:
    user = caller(request)
    ticket = access.ticket_for(user, ticket_id)
    checklist = ticket_checklist(ticket, user)
    if checklist is None:
        raise NotFound(_("This ticket has no SOP."))
    run = checklist.run
    return RunOut(
        sop=run.version.sop.key,
        version=run.version.number,
        title=checklist.title,
        matched=checklist.reasons,
        started_at=run.started_at,
        steps=_step_out(checklist),
        special_policies=[
            SpecialPolicyOut(
                step=policy.step_id or None,
                description=policy.description,
                reason=policy.reason,
                granted_by=policy.by.display_name if policy.by else None,
                granted_at=policy.at,
            )
            for policy in checklist.special_policies
        ],
    )


@router.get(
    "/tickets/{ticket_id}/sop",
    response={200: RunOut, **problems(404)},
    summary="The SOP a ticket runs, step by step",
)
def ticket_run(request: HttpRequest, ticket_id: PathId) -> RunOut:
    return _run_out(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/sop/steps/{step_id}/complete",
    response={200: RunOut, **problems(400, 403, 404, 409)},
    summary="Complete, decide or approve a step",
)
def step_complete(
    request: HttpRequest, ticket_id: PathId, step_id: str, payload: StepComplete
) -> RunOut:
    user = caller(request)
    sop_step_complete(
        ticket=access.ticket_for(user, ticket_id),
        step_id=step_id,
        by=user,
        outcome=payload.outcome,
        amount=payload.amount,
        note=payload.note,
    )
    return _run_out(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/sop/steps/{step_id}/waive",
    response={200: RunOut, **problems(400, 403, 404, 409)},
    summary="Waive a step with a reason",
)
def step_waive(request: HttpRequest, ticket_id: PathId, step_id: str, payload: StepWaive) -> RunOut:
    user = caller(request)
    sop_step_waive(
        ticket=access.ticket_for(user, ticket_id), step_id=step_id, by=user, reason=payload.reason
    )
    return _run_out(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/sop/switch",
    response={200: RunOut, **problems(400, 403, 404, 409)},
    summary="Put the ticket under another SOP",
)
def run_switch(request: HttpRequest, ticket_id: PathId, payload: SopSwitch) -> RunOut:
    user = caller(request)
    version = SopVersion.objects.filter(sop__key=payload.sop, status__in=LIVE_STATUSES).first()
    if version is None:
        raise InvalidInput(_("No live SOP %(key)s.") % {"key": payload.sop}, field="sop")
    sop_switch(
        ticket=access.ticket_for(user, ticket_id), version=version, by=user, reason=payload.reason
    )
    return _run_out(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/sop/special-policy",
    response={200: RunOut, **problems(400, 403, 404, 409)},
    summary="Grant a special policy outside the SOP",
)
def special_policy_grant(
    request: HttpRequest, ticket_id: PathId, payload: SpecialPolicyIn
) -> RunOut:
    """For a case the SOP does not foresee (supervisors and above). Naming an open step settles
    it as an exception; either way it is on the timeline and counted against the SOP."""
    user = caller(request)
    sop_special_policy_grant(
        ticket=access.ticket_for(user, ticket_id),
        by=user,
        reason=payload.reason,
        description=payload.description,
        step_id=payload.step,
    )
    return _run_out(request, ticket_id)
