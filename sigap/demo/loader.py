"""Load the demo desk by playing its plan through the real services, back-dated step by step.

Every ticket's timeline is therefore the one the product itself writes: the same events,
counters and timestamps a real desk would have after two months of work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from sigap.accounts.models import Role, Team, User
from sigap.accounts.services import team_create, user_create
from sigap.core import clock
from sigap.core.errors import Conflict
from sigap.core.models import Job, JobStatus
from sigap.customers.models import Customer, CustomerIdentity
from sigap.customers.services import IdentityInput, customer_create, customer_update
from sigap.demo import content
from sigap.demo.plan import CustomerPlan, DemoPlan, Step, TicketPlan, demo_plan
from sigap.feedback.history import feedback_history_settle
from sigap.routing.models import Presence
from sigap.routing.services import presence_expire_stale, presence_set
from sigap.sla.configuration import sla_defaults_install, sla_team_calendar_set
from sigap.sla.firing import sla_fire_due
from sigap.sla.models import Calendar, Timer
from sigap.sops import services as sop_services
from sigap.sops.commitments import promise_keep
from sigap.sops.firing import sop_fire_history
from sigap.sops.models import Promise, StepState, StepStatus
from sigap.sops.services import sop_library_install
from sigap.tickets.models import (
    Category,
    Channel,
    DeliveryStatus,
    Message,
    Priority,
    Status,
    Ticket,
)
from sigap.tickets.services import (
    ticket_add_note,
    ticket_assign,
    ticket_change_priority,
    ticket_change_status,
    ticket_change_team,
    ticket_log_contact,
    ticket_open,
    ticket_receive,
    ticket_reply,
)

DEFAULT_TICKETS = 300
DEFAULT_CUSTOMERS = 120
DEFAULT_SEED = 17

Progress = Callable[[int, str], None]


class DemoRefused(Conflict):
    """The desk already holds data of its own: demo tickets would mix with real ones."""


@dataclass(frozen=True)
class DemoSummary:
    people: list[tuple[str, str, str]]  # username, role, teams
    password: str
    customers: int
    tickets: int


def demo_is_loaded() -> bool:
    return Team.objects.filter(slug__in=[t.slug for t in content.TEAMS]).count() == len(
        content.TEAMS
    )


def demo_steps(*, tickets: int, customers: int = DEFAULT_CUSTOMERS) -> int:
    """How many units of work a load reports to its progress callback."""
    return customers + tickets


def _check_empty() -> None:
    if settings.HTTPS:
        # The demo's people share a password printed in the README: on a desk served to the
        # world over HTTPS, anyone could sign in as its admin.
        raise DemoRefused(
            _(
                "This desk is set up for production (SIGAP_HTTPS); the demo's accounts have a "
                "published password, so the demo is not loaded here."
            )
        )
    if Ticket.objects.exists():
        raise DemoRefused(
            _("This desk already has tickets; demo data is only loaded into an empty desk.")
        )
    usernames = [p.username for p in content.PEOPLE]
    taken = list(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if taken:
        raise DemoRefused(
            _("The demo needs the usernames %(names)s, which are already in use.")
            % {"names": ", ".join(sorted(taken))}
        )


def demo_load(
    *,
    tickets: int = DEFAULT_TICKETS,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
) -> DemoSummary | None:
    """Fill an empty desk with the demo. Returns None when the demo is already there."""
    if demo_is_loaded():
        return None
    _check_empty()
    now = clock.now()
    plan = demo_plan(seed=seed, tickets=tickets, customers=customers, now=now)
    report = progress or (lambda done, label: None)
    # One transaction: a load that fails half-way leaves nothing behind, and no worker ever
    # sees the replies' delivery jobs before they are withdrawn below.
    with transaction.atomic():
        teams, people, categories = _setup(now)
        records = _load_customers(plan, people, report)
        for index, ticket_plan in enumerate(plan.tickets, start=1):
            _play(ticket_plan, records, teams, people, categories)
            report(len(records) + index, _("tickets"))
        _fire_history(now)
        feedback_history_settle(now=now)
        _withdraw_deliveries()
        # Conversations that waited in a team queue during the history (more at once than
        # the agents had room for) told the supervisor, at made-up addresses, back then.
        Job.objects.filter(kind="routing_queue_alert", status=JobStatus.PENDING).delete()
        # The history is over and nobody is at a desk now: each person is back online as
        # soon as they sign in, and new conversations wait in the queue until then.
        presence_expire_stale(now=now)
    return DemoSummary(
        people=[
            (p.username, p.role, ", ".join(_team_name(t) for t in p.teams) or _("every team"))
            for p in content.PEOPLE
        ],
        password=content.PASSWORD,
        customers=len(plan.customers),
        tickets=len(plan.tickets),
    )


def _team_name(key: str) -> str:
    return next(t.name for t in content.TEAMS if t.key == key)


def _setup(now: datetime) -> tuple[dict[str, Team], dict[str, User], dict[str, Category]]:
    with clock.frozen(now - timedelta(days=90)):
        teams = {
            spec.key: team_create(name=spec.name, slug=spec.slug, email=spec.email)
            for spec in content.TEAMS
        }
        people = {
            spec.username: user_create(
                username=spec.username,
                email=f"{spec.username}@lestari.example",
                password=content.PASSWORD,
                role=Role(spec.role),
                teams=[teams[key] for key in spec.teams],
                first_name=spec.first_name,
                last_name=spec.last_name,
            )
            for spec in content.PEOPLE
        }
        # Agents at their desks and the supervisor away from hers through the history: each
        # demo conversation goes straight to an agent of its team (issue 5 §6), and the
        # supervisor is told about those that wait.
        for spec in content.PEOPLE:
            if spec.role in ("agent", "supervisor") and spec.teams:
                person = people[spec.username]
                status = Presence.ONLINE if spec.role == "agent" else Presence.AWAY
                presence_set(user=person, status=status, by=person)
        # The bundled SOPs a desk runs from its first start (DESIGN §2), installed before the
        # tickets so each one starts under its SOP. Installing again changes nothing.
        sop_library_install()
        # Teams work office hours in Jakarta; the standard targets count them for email.
        sla_defaults_install()
        office = Calendar.objects.get(key="jakarta-office")
        for team in teams.values():
            sla_team_calendar_set(team=team, calendar=office, by=None)
    # Categories are settings an admin keeps in the admin site; there is no service to call.
    categories = {}
    for category in content.CATEGORIES:
        categories[category.slug], _created = Category.objects.get_or_create(
            slug=category.slug, defaults={"name": category.name}
        )
    return teams, people, categories


def _load_customers(plan: DemoPlan, people: dict[str, User], report: Progress) -> list[Customer]:
    manager = people[next(p.username for p in content.PEOPLE if p.role == "manager")]
    records: list[Customer] = []
    for index, spec in enumerate(plan.customers, start=1):
        with clock.frozen(spec.since):
            record = customer_create(
                by=None,
                name=spec.name,
                language=spec.language,
                identities=[IdentityInput(i.kind, i.value, i.network) for i in spec.identities],
                is_vip=spec.is_vip,
            )
            if spec.notes:
                customer_update(
                    by=manager,
                    customer=record,
                    name=record.name,
                    language=record.language,
                    is_vip=record.is_vip,
                    notes=spec.notes,
                )
        _backdate(record, spec)
        records.append(record)
        report(index, _("customers"))
    return records


def _backdate(record: Customer, spec: CustomerPlan) -> None:
    # Customer and identity timestamps are auto_now fields: they read the wall clock, not
    # sigap.core.clock, so the demo sets them to when the customer first came.
    Customer.objects.filter(pk=record.pk).update(created_at=spec.since, updated_at=spec.since)
    CustomerIdentity.objects.filter(customer=record).update(created_at=spec.since)


def _play(
    plan: TicketPlan,
    customers: list[Customer],
    teams: dict[str, Team],
    people: dict[str, User],
    categories: dict[str, Category],
) -> None:
    """Play one ticket's steps through the services, each at its moment."""
    customer = customers[plan.customer]
    identity = None
    if plan.identity is not None:
        identity = customer.identities.filter(
            kind=plan.identity.kind, network=plan.identity.network
        ).first()
    ticket: Ticket | None = None
    for step in plan.steps:
        by = people[step.by] if step.by else None
        with clock.frozen(step.at):
            if step.action == "open":
                ticket = ticket_open(
                    customer=customer,
                    channel=Channel(plan.channel),
                    subject=plan.subject,
                    body=step.text,
                    identity=identity,
                    team=teams[plan.team],
                    priority=Priority(plan.priority),
                    category=categories[plan.category],
                )
                continue
            if step.action == "log":
                assert by is not None
                ticket = ticket_log_contact(
                    by=by,
                    customer=customer,
                    channel=Channel(plan.channel),
                    subject=plan.subject,
                    summary=step.text,
                    team=teams[plan.team],
                    priority=Priority(plan.priority),
                    category=categories[plan.category],
                )
                _sop_advance(ticket, by, step, plan.sop_outcome)
                if step.on_the_spot:
                    # What the service's resolved_on_the_spot does, with the SOP's steps
                    # settled first as the agent would at the counter.
                    _sop_settle(ticket, by, plan.sop_outcome)
                    ticket_change_status(ticket=ticket, by=by, status=Status.RESOLVED)
                continue
            assert ticket is not None, "a ticket's first step opens it"
            if by is not None and step.action in ("reply", "status"):
                _promises_keep(ticket, by)
            if by is not None and step.status in (Status.RESOLVED, Status.CLOSED):
                _sop_settle(ticket, by, plan.sop_outcome)
            _act(ticket, step, by, customer, teams, people)
            if by is not None:
                _sop_advance(ticket, by, step, plan.sop_outcome)


def _act(
    ticket: Ticket,
    step: Step,
    by: User | None,
    customer: Customer,
    teams: dict[str, Team],
    people: dict[str, User],
) -> None:
    if step.action == "receive":
        ticket_receive(ticket=ticket, customer=customer, body=step.text)
        return
    assert by is not None, f"{step.action} is done by someone at the desk"
    if step.action == "reply":
        status = Status(step.status) if step.status else None
        ticket_reply(ticket=ticket, by=by, body=step.text, status=status)
    elif step.action == "note":
        ticket_add_note(ticket=ticket, by=by, body=step.text)
    elif step.action == "assign":
        ticket_assign(ticket=ticket, by=by, assignee=people[step.assignee or ""])
    elif step.action == "status":
        ticket_change_status(ticket=ticket, by=by, status=step.status or "")
    elif step.action == "priority":
        ticket_change_priority(ticket=ticket, by=by, priority=step.priority or "")
        if step.text:
            ticket_add_note(ticket=ticket, by=by, body=step.text)
    elif step.action == "team":
        if step.text:
            ticket_add_note(ticket=ticket, by=by, body=step.text)
        ticket_change_team(ticket=ticket, by=by, team=teams[step.team or ""])


def _open_steps(ticket: Ticket) -> list[tuple[StepState, str, list[str]]]:
    """The ticket's SOP steps that are to do now: state, kind, and a decision's options."""
    run = sop_services.current_run(ticket)
    if run is None:
        return []
    document = sop_services.version_document(run.version)
    steps: list[tuple[StepState, str, list[str]]] = []
    for state in StepState.objects.filter(run=run, status=StepStatus.OPEN).order_by("position"):
        step = document.step(state.step_id)
        steps.append((state, step.kind, [option.key for option in step.options]))
    return steps


def _sop_complete(
    ticket: Ticket, by: User, state: StepState, kind: str, options: list[str], outcome: str
) -> None:
    choice: str | None = None
    if kind == "decision":
        choice = outcome if outcome in options else options[0]
    elif kind == "approval":
        choice = "approved"
    sop_services.sop_step_complete(ticket=ticket, step_id=state.step_id, by=by, outcome=choice)


def _sop_advance(ticket: Ticket, by: User, step: Step, outcome: str) -> None:
    """Tick off the SOP steps this action carried out; each one done may open the next."""
    for step_id in step.sop_steps:
        found = next(((s, k, o) for s, k, o in _open_steps(ticket) if s.step_id == step_id), None)
        if found is not None:
            _sop_complete(ticket, by, *found, outcome)
    for _attempt in range(10):
        found = next(((s, k, o) for s, k, o in _open_steps(ticket) if k in step.sop_kinds), None)
        if found is None:
            return
        _sop_complete(ticket, by, *found, outcome)


def _sop_settle(ticket: Ticket, by: User, outcome: str) -> None:
    """Before resolving: finish the mandatory steps still open, or set aside those not reached.

    A demo conversation says what happened in words; the SOP's gate needs it ticked off.
    """
    for _attempt in range(20):
        blocking = sop_services.blocking_steps(ticket)
        if not blocking:
            return
        open_now = {state.pk: (kind, options) for state, kind, options in _open_steps(ticket)}
        state = blocking[0]
        if state.pk in open_now:
            kind, options = open_now[state.pk]
            _sop_complete(ticket, by, state, kind, options, outcome)
        else:
            sop_services.sop_step_waive(
                ticket=ticket, step_id=state.step_id, by=by, reason=content.SOP_SETTLED
            )


def _promises_keep(ticket: Ticket, by: User) -> None:
    """An agent who writes back, or closes the ticket, has kept what was promised before."""
    for promise in Promise.objects.filter(ticket=ticket, kept_at__isnull=True):
        promise_keep(ticket=ticket, promise_id=promise.pk, by=by)


def _fire_history(now: datetime) -> None:
    """Let the deadlines the history missed fire at the moments they fell due, so open demo
    tickets show their breaches and escalations. Their alert mails, to made-up addresses,
    are withdrawn below with the replies."""
    while True:
        first = Timer.objects.filter(fire_at__lte=now).order_by("fire_at").first()
        if first is None or first.fire_at is None:
            break
        with clock.frozen(first.fire_at):
            sla_fire_due(now=first.fire_at, limit=10_000)
    sop_fire_history(until=now)
    Job.objects.filter(
        kind__in=("sla_alert_email", "sla_escalation_email", "sop_step_alert_email"),
        status=JobStatus.PENDING,
    ).delete()


def _withdraw_deliveries() -> None:
    """The demo's replies are history, not mail to send: they go to made-up addresses.

    The services queue a delivery job for each reply, as they must for real ones. Here the
    jobs are deleted in the same transaction and the replies recorded as sent, so the outbox
    never mails them and the timeline still shows them delivered. The desk was empty before
    the load, so every message still queued is one of the demo's.
    """
    message_ids = list(
        Message.objects.filter(delivery_status=DeliveryStatus.QUEUED).values_list("pk", flat=True)
    )
    for start in range(0, len(message_ids), 500):
        chunk = message_ids[start : start + 500]
        Job.objects.filter(
            kind="deliver_message", status=JobStatus.PENDING, payload__message__in=chunk
        ).delete()
        Message.objects.filter(pk__in=chunk, delivery_status=DeliveryStatus.QUEUED).update(
            delivery_status=DeliveryStatus.SENT
        )
