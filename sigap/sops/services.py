"""Writes for SOPs: importing and publishing versions, running them on tickets."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.audit.services import audit_record
from sigap.core import clock
from sigap.core.brief_cache import BriefCache
from sigap.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from sigap.sla import services as sla_services
from sigap.sops.display import in_language
from sigap.sops.document import Step
from sigap.sops.loading import SopInvalid, load_document
from sigap.sops.matching import Candidate, TicketTopic, choose
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
    VersionStatus,
)
from sigap.sops.runs import current_run as current_run
from sigap.sops.runs import run_start, sop_run_refresh
from sigap.sops.runs import version_document as version_document
from sigap.tickets import access
from sigap.tickets.events import EventKind, event_record
from sigap.tickets.models import Ticket

ROLE_ORDER = ("agent", "supervisor", "manager")


def _check_can_author(by: User | None) -> None:
    if by is not None and not by.has_perm("sops.publish_sop"):
        raise NotAllowed(_("You may not change SOPs."))


def sop_import(*, text: str, by: User | None) -> SopVersion:
    """Read an SOP document into a draft: a new SOP, or the next version of an existing one.

    An unpublished draft of the same SOP is replaced, so editing and re-importing never piles
    up drafts. Published versions are never touched.
    """
    _check_can_author(by)
    try:
        document = load_document(text)
    except SopInvalid as invalid:
        raise InvalidInput("\n".join(str(e) for e in invalid.errors), field="document") from None
    now = clock.now()
    data = document.model_dump(mode="json", by_alias=True)
    with transaction.atomic():
        sop, _created = Sop.objects.get_or_create(key=document.key, defaults={"created_at": now})
        draft = sop.versions.select_for_update().filter(status=VersionStatus.DRAFT).first()
        if draft is not None:
            draft.document, draft.source, draft.title = data, text, document.title.get("en")
            draft.save(update_fields=["document", "source", "title"])
            return draft
        number = (sop.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        return SopVersion.objects.create(
            sop=sop,
            number=number,
            status=VersionStatus.DRAFT,
            title=document.title.get("en"),
            document=data,
            source=text,
            created_at=now,
            created_by=by,
        )


def sop_draft_save(*, text: str, by: User, key: str | None) -> SopVersion:
    """Save a document written in the editor as a draft (see sop_import).

    `key` None starts a new SOP, so the document must not take the key of one that exists;
    otherwise the document must keep the key of the SOP being edited.
    """
    _check_can_author(by)
    try:
        written = load_document(text).key
    except SopInvalid as invalid:
        raise InvalidInput("\n".join(str(e) for e in invalid.errors), field="document") from None
    if key is None and Sop.objects.filter(key=written).exists():
        raise Conflict(
            _("An SOP with the key %(key)s already exists; edit that one, or choose another key.")
            % {"key": written},
            field="document",
        )
    if key is not None and written != key:
        raise InvalidInput(
            _("The key must stay %(key)s. To start another SOP, use New SOP.") % {"key": key},
            field="document",
        )
    return sop_import(text=text, by=by)


def sop_publish(
    *, version: SopVersion, by: User | None, notes: str, status: str = VersionStatus.ACTIVE
) -> SopVersion:
    """Make a draft the live version (pilot or active); the version live before it retires.

    Tickets already running keep the version they started with.
    """
    _check_can_author(by)
    if status not in LIVE_STATUSES:
        raise InvalidInput(_("A version is published as pilot or active."), field="status")
    now = clock.now()
    with transaction.atomic():
        version = SopVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != VersionStatus.DRAFT:
            raise Conflict(_("Only a draft can be published; published versions never change."))
        SopVersion.objects.filter(sop_id=version.sop_id, status__in=LIVE_STATUSES).update(
            status=VersionStatus.RETIRED
        )
        document = version_document(version)
        version.status = status
        version.change_notes = notes.strip()
        version.published_at = now
        version.published_by = by
        version.review_due_at = now + timedelta(days=document.review_every_days)
        version.save(
            update_fields=[
                "status",
                "change_notes",
                "published_at",
                "published_by",
                "review_due_at",
            ]
        )
        audit_record(action="sop_published", actor=by, obj=version, summary=f"{version} {status}")
        # Cleared again once committed: another thread may have read the old state meanwhile.
        live_cache_clear()
        transaction.on_commit(live_cache_clear)
    return version


def live_versions() -> list[SopVersion]:
    # The documents are parsed once per process (version_document); don't decode them again.
    return list(
        SopVersion.objects.filter(status__in=LIVE_STATUSES)
        .select_related("sop")
        .defer("document", "source")
        .order_by("pk")
    )


# The live SOPs with their triggers ready to match; publishing here clears them at once.
_live: BriefCache[None, dict[str, tuple[SopVersion, Candidate]]] = BriefCache()


def live_cache_clear() -> None:
    _live.clear()


def _live_candidates() -> dict[str, tuple[SopVersion, Candidate]]:
    return _live.get(
        None,
        lambda: {
            v.sop.key: (v, Candidate(v.sop.key, version_document(v).triggers))
            for v in live_versions()
        },
    )


def _topic(ticket: Ticket, text: str | None) -> TicketTopic:
    if text is None:
        first = ticket.messages.order_by("created_at", "pk").first()
        text = f"{ticket.subject}\n{first.body_text if first else ''}"
    return TicketTopic(
        channel=ticket.channel,
        priority=ticket.priority,
        category=ticket.category.slug if ticket.category else None,
        text=text,
    )


def sop_match_and_start(*, ticket: Ticket, text: str | None = None) -> SopRun | None:
    """Choose the SOP for a new ticket and start it. No live SOP matches: nothing happens.

    `text` is what the customer wrote (subject and first message), when the caller has it.
    """
    live = _live_candidates()
    match = choose((candidate for _version, candidate in live.values()), _topic(ticket, text))
    if match is None:
        return None
    return run_start(ticket=ticket, version=live[match.key][0], by=None, matched=match.as_data())


def _locked_step(ticket: Ticket, step_id: str) -> tuple[SopRun, StepState]:
    run = current_run(ticket)
    if run is None:
        raise NotFound(_("This ticket has no SOP."))
    state = StepState.objects.select_for_update().filter(run=run, step_id=step_id).first()
    if state is None:
        raise NotFound(_("The SOP has no step %(step)s.") % {"step": step_id}, field="step")
    return run, state


def _check_works_on(by: User, ticket: Ticket) -> None:
    if not access.can_work_on(by, ticket):
        raise NotAllowed(_("You may not change this ticket."))


def _check_open(state: StepState) -> None:
    if state.status != StepStatus.OPEN:
        raise Conflict(
            _("Step %(step)s cannot be completed now: it is %(status)s.")
            % {"step": state.step_id, "status": StepStatus(state.status).label},
            field="step",
        )


def _step_set_aside(*, run: SopRun, state: StepState, by: User, reason: str, at: datetime) -> Step:
    """Waive a step that has not ended: for a plain waiver and for a special policy naming it."""
    if state.status not in (StepStatus.OPEN, StepStatus.BLOCKED):
        raise Conflict(
            _("Step %(step)s has already ended.") % {"step": state.step_id}, field="step"
        )
    step = version_document(run.version).step(state.step_id)
    # Setting an approval aside would get round the authority limits it exists to enforce.
    if step.kind == "approval" and not by.has_perm("sops.decide_approvals"):
        raise NotAllowed(
            _("Only someone who may decide approvals can set this step aside."),
            field="step",
        )
    state.waived_at = at
    state.waived_by = by
    state.reason = reason
    state.save(update_fields=["waived_at", "waived_by", "reason"])
    return step


def authority_limit(user: User) -> Decimal | None:
    """The largest amount this user may approve alone; None means no limit."""
    limits: dict[str, int | None] = settings.SIGAP_AUTHORITY_LIMITS
    if user.is_superuser:
        return None
    roles = set(user.groups.values_list("name", flat=True))
    best: Decimal | None = Decimal(0)
    for role in ROLE_ORDER:
        if role in roles:
            limit = limits.get(role)
            best = None if limit is None else Decimal(limit)
    return best


def sop_step_complete(
    *,
    ticket: Ticket,
    step_id: str,
    by: User,
    outcome: str | None = None,
    amount: Decimal | None = None,
    note: str = "",
) -> StepState:
    """Tick off an open step. A decision needs the option chosen; an approval says approved or
    rejected and, for an amount, needs someone whose authority covers it."""
    _check_works_on(by, ticket)
    note = note.strip()
    now = clock.now()
    with transaction.atomic():
        run, state = _locked_step(ticket, step_id)
        step = version_document(run.version).step(step_id)
        _check_open(state)
        if step.kind == "decision":
            keys = [option.key for option in step.options]
            if outcome not in keys:
                raise InvalidInput(
                    _("Choose one of: %(options)s.") % {"options": ", ".join(keys)},
                    field="outcome",
                )
        elif step.kind == "approval":
            if outcome not in ("approved", "rejected"):
                raise InvalidInput(_("Say approved or rejected."), field="outcome")
            if amount is None:
                amount = state.approval_amount
            limit = authority_limit(by)
            if (
                outcome == "approved"
                and amount is not None
                and limit is not None
                and amount > limit
            ):
                raise NotAllowed(
                    _(
                        "%(amount)s is above your authority of %(limit)s; a supervisor or manager "
                        "must approve it."
                    )
                    % {"amount": f"{amount:,.0f}", "limit": f"{limit:,.0f}"},
                    field="amount",
                )
        elif outcome is not None:
            raise InvalidInput(_("This step takes no choice."), field="outcome")
        state.completed_at = now
        state.completed_by = by
        state.outcome = outcome or ""
        state.reason = note
        state.save(update_fields=["completed_at", "completed_by", "outcome", "reason"])
        data: dict[str, Any] = {
            "sop": run.version.sop.key,
            "step": step_id,
            "title": step.title.model_dump(),
        }
        if outcome:
            data["outcome"] = outcome
            option = next((o for o in step.options if o.key == outcome), None)
            if option is not None:
                data["outcome_label"] = option.label.model_dump()
        if amount is not None:
            data["amount"] = str(amount)
        if note:
            data["note"] = note
        event_record(ticket=ticket, kind=EventKind.SOP_STEP_COMPLETED, at=now, by=by, data=data)
        if step.kind == "escalate" and step.escalate_to is not None:
            # The SOP hands over on the same ladder as the response-time policy.
            sla_services.sla_sop_escalated(
                ticket=ticket,
                by=by,
                role=step.escalate_to,
                reason=note or step.title.get(ticket.language),
            )
        sop_run_refresh(run=run, ticket=ticket)
    return state


def sop_approval_request(
    *, ticket: Ticket, step_id: str, by: User, amount: Decimal, note: str
) -> StepState:
    """Ask someone with enough authority to approve: the step waits in their queue with the
    amount, the reason and the ticket, until one of them approves or rejects it."""
    _check_works_on(by, ticket)
    note = note.strip()
    if amount <= 0:
        raise InvalidInput(_("The amount must be more than zero."), field="amount")
    if len(note) < 5:
        raise InvalidInput(_("Say what is to be approved and why."), field="note")
    now = clock.now()
    with transaction.atomic():
        run, state = _locked_step(ticket, step_id)
        step = version_document(run.version).step(step_id)
        if step.kind != "approval":
            raise InvalidInput(_("Only an approval step is approved."), field="step")
        _check_open(state)
        state.approval_amount = amount
        state.approval_note = note
        state.approval_requested_at = now
        state.approval_requested_by = by
        state.save(
            update_fields=[
                "approval_amount",
                "approval_note",
                "approval_requested_at",
                "approval_requested_by",
            ]
        )
        event_record(
            ticket=ticket,
            kind=EventKind.SOP_APPROVAL_REQUESTED,
            at=now,
            by=by,
            data={
                "sop": run.version.sop.key,
                "step": step_id,
                "title": step.title.model_dump(),
                "amount": str(amount),
                "reason": note,
            },
        )
        limit = authority_limit(by)
        if limit is not None and amount > limit:
            sla_services.sla_approval_requested(ticket=ticket, by=by, amount=f"{amount:,.0f}")
    return state


def sop_step_waive(*, ticket: Ticket, step_id: str, by: User, reason: str) -> StepState:
    """Set a step aside with a written reason (an exception, seed 004). Counted per SOP step."""
    _check_works_on(by, ticket)
    reason = reason.strip()
    if len(reason) < 5:
        raise InvalidInput(_("Write why this step is waived."), field="reason")
    now = clock.now()
    with transaction.atomic():
        run, state = _locked_step(ticket, step_id)
        step = _step_set_aside(run=run, state=state, by=by, reason=reason, at=now)
        _exception_record(
            ticket=ticket,
            run=run,
            step_id=step_id,
            kind=ExceptionKind.WAIVED,
            reason=reason,
            by=by,
            at=now,
        )
        event_record(
            ticket=ticket,
            kind=EventKind.SOP_STEP_WAIVED,
            at=now,
            by=by,
            data={
                "sop": run.version.sop.key,
                "step": step_id,
                "title": step.title.model_dump(),
                "reason": reason,
            },
        )
        sop_run_refresh(run=run, ticket=ticket)
    return state


def _exception_record(
    *,
    ticket: Ticket,
    run: SopRun,
    step_id: str,
    kind: ExceptionKind,
    reason: str,
    by: User,
    at: datetime,
    description: str = "",
) -> SopException:
    return SopException.objects.create(
        ticket=ticket,
        run=run,
        version_id=run.version_id,
        step_id=step_id,
        kind=kind,
        reason=reason,
        description=description,
        by=by,
        at=at,
    )


def _check_can_grant_special_policy(by: User, ticket: Ticket) -> None:
    _check_works_on(by, ticket)
    if not by.has_perm("sops.grant_special_policy"):
        raise NotAllowed(_("Only a supervisor or manager may grant a special policy."))


def sop_special_policy_grant(
    *, ticket: Ticket, by: User, reason: str, description: str, step_id: str | None = None
) -> SopException:
    """Allow something the SOP does not foresee, for this customer (seed 004).

    Only someone who may grant special policies does it, with a written reason and a
    description of what is allowed. When a step is named, that step is settled by the
    exception: set aside like a waived step, so it no longer holds up resolving. Recorded as an
    exception of the SOP (counted per step) and on the ticket's timeline.
    """
    _check_can_grant_special_policy(by, ticket)
    reason, description = reason.strip(), description.strip()
    if len(reason) < 5:
        raise InvalidInput(_("Write why this customer needs a special policy."), field="reason")
    if len(description) < 5:
        raise InvalidInput(
            _("Describe what is allowed outside the SOP for this customer."), field="description"
        )
    step_id = (step_id or "").strip() or None
    now = clock.now()
    with transaction.atomic():
        data: dict[str, Any] = {"reason": reason, "description": description}
        if step_id is None:
            Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
            run = current_run(ticket)
            if run is None:
                raise NotFound(_("This ticket has no SOP."))
        else:
            run, state = _locked_step(ticket, step_id)
            step = _step_set_aside(run=run, state=state, by=by, reason=reason, at=now)
            data |= {"step": step_id, "title": step.title.model_dump()}
        exception = _exception_record(
            ticket=ticket,
            run=run,
            step_id=step_id or "",
            kind=ExceptionKind.SPECIAL_POLICY,
            reason=reason,
            description=description,
            by=by,
            at=now,
        )
        event_record(
            ticket=ticket,
            kind=EventKind.SOP_SPECIAL_POLICY_GRANTED,
            at=now,
            by=by,
            data={"sop": run.version.sop.key, "version": run.version.number, **data},
        )
        if step_id is not None:
            sop_run_refresh(run=run, ticket=ticket)
    return exception


def sop_switch(*, ticket: Ticket, version: SopVersion, by: User, reason: str) -> SopRun:
    """Put the ticket under another SOP. The old run ends but its history stays."""
    _check_works_on(by, ticket)
    reason = reason.strip()
    if len(reason) < 5:
        raise InvalidInput(_("Write why the ticket moves to another SOP."), field="reason")
    if version.status not in LIVE_STATUSES:
        raise InvalidInput(_("Only a published SOP can run on a ticket."), field="version")
    now = clock.now()
    with transaction.atomic():
        Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
        old = current_run(ticket)
        if old is not None:
            if old.version_id == version.pk:
                raise Conflict(_("The ticket already runs this SOP."), field="version")
            old.ended_at = now
            old.save(update_fields=["ended_at"])
            # Steps of a run that ended are nobody's to do: no more alerts for them.
            old.steps.filter(alert_at__isnull=False).update(alert_at=None)
        event_record(
            ticket=ticket,
            kind=EventKind.SOP_SWITCHED,
            at=now,
            by=by,
            data={
                "from": old.version.sop.key if old else None,
                "to": version.sop.key,
                "reason": reason,
            },
        )
        return run_start(
            ticket=ticket,
            version=version,
            by=by,
            matched={"key": version.sop.key, "reasons": [reason]},
        )


def blocking_steps(ticket: Ticket) -> list[StepState]:
    """Mandatory steps that must be done or waived before the ticket may be resolved."""
    return list(
        StepState.objects.filter(
            run__ticket=ticket, run__ended_at__isnull=True, blocks_resolution=True
        )
        .select_related("run__version")
        .order_by("position")
    )


def check_can_resolve(ticket: Ticket) -> None:
    """The close gate: every path that resolves a ticket calls this first. The refusal names
    the steps as the checklist shows them, in the reader's language."""
    blocking = blocking_steps(ticket)
    if blocking:
        document = version_document(blocking[0].run.version)  # the one open run's
        titles = (in_language(document.step(s.step_id).title.model_dump()) for s in blocking)
        raise Conflict(
            _("Finish or waive these SOP steps first: %(steps)s.")
            % {"steps": ", ".join(f"“{title}”" for title in titles)},
            field="status",
        )


def sop_ticket_changed(ticket: Ticket) -> None:
    """Re-evaluate the ticket's run after its resolution changed (deadlines count from it)."""
    run = current_run(ticket)
    if run is not None:
        sop_run_refresh(run=run, ticket=ticket)


def sop_reply_for_step(
    *, ticket: Ticket, step_id: str, by: User, body: str, status: str | None = None
) -> StepState:
    """Send the reply a message step asks for and tick the step off, both or neither."""
    # tickets.services imports this module, so it is imported here, when first needed.
    from sigap.tickets.services import ticket_change_status, ticket_reply

    with transaction.atomic():
        _run, state = _locked_step(ticket, step_id)
        _check_open(state)
        # Reply first without the status: resolving may need this very step to be done.
        ticket_reply(ticket=ticket, by=by, body=body)
        done = sop_step_complete(ticket=ticket, step_id=step_id, by=by)
        if status:
            ticket_change_status(ticket=ticket, by=by, status=status)
    return done


LIBRARY_DIR = Path(__file__).resolve().parent / "library"


def sop_library_install(*, directory: Path = LIBRARY_DIR) -> list[str]:
    """Publish each bundled SOP the desk does not have yet; returns the keys installed.

    An SOP the team already has (bundled earlier, or their own under the same key) is left alone,
    so their edits are never overwritten.
    """
    installed = []
    for path in sorted(directory.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        key = load_document(text).key
        if Sop.objects.filter(key=key).exists():
            continue
        try:
            with transaction.atomic():
                draft = sop_import(text=text, by=None)
                sop_publish(version=draft, by=None, notes=_("Bundled with Sigap"))
        except IntegrityError:
            continue  # another node starting at the same moment installed it
        installed.append(key)
    return installed


def sop_acknowledge(*, version: SopVersion, by: User) -> Acknowledgement:
    """Record that `by` read this published version. Saying it twice changes nothing."""
    if version.status not in LIVE_STATUSES:
        raise InvalidInput(_("Only a published version in use can be acknowledged."))
    found = Acknowledgement.objects.filter(version=version, user=by).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Acknowledgement.objects.create(
                version=version, user=by, acknowledged_at=clock.now()
            )
    except IntegrityError:
        return Acknowledgement.objects.get(version=version, user=by)
