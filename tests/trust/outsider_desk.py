"""A desk with two teams, for the outsider tests: team A's objects, and people who must not
reach them (an agent and a supervisor of team B, someone signed out, a plain agent).

Everything of team A carries a marker word; a refused answer must not contain any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db.models import Model
from django.test import Client

from sigap.accounts.models import Role, Team, User
from sigap.accounts.services import token_create
from sigap.chat.models import ChatConversation, ChatVisitor, ChatWidget
from sigap.core import clock
from sigap.customers.models import Customer, CustomerIdentity
from sigap.feedback.models import FollowUp, RecoveryTask, Survey
from sigap.feedback.surveys import survey_answer
from sigap.routing.models import AgentPresence, QueueEntry
from sigap.sops.models import Acknowledgement, Promise, SopException, SopRun, SopVersion, StepState
from sigap.sops.services import sop_import, sop_publish
from sigap.tickets.models import Attachment, Channel, Message, Status, Ticket, TicketEvent
from sigap.tickets.services import ticket_add_note, ticket_change_status, ticket_reply
from tests import factories
from tests.feedback.conftest import RESOLVED_AT, surveys_sent
from tests.routing.helpers import routes

# Words only team A's objects hold: any of them in an outsider's answer is a leak.
SUBJECT = "Vas retak kiriman Kenanga"
CUSTOMER_NAME = "Kenanga Wulandari"
CUSTOMER_EMAIL = "kenanga@pelanggan.example"
NOTE = "Catatan internal: kode voucher KNG-7731"
COMMENT = "Kurir kasar sekali, Kenanga kecewa"
QUEUED_SUBJECT = "Antrian chat Melati"
# Team B's ticket of the same customer: team A's people must not see it either.
THEIR_SUBJECT = "Tagihan korporat bulan Oktober"
MARKERS = (SUBJECT, CUSTOMER_NAME, CUSTOMER_EMAIL, NOTE, COMMENT, QUEUED_SUBJECT, "KNG-7731")

# The rows an outsider's request must leave exactly as they were.
WATCHED: tuple[type[Model], ...] = (
    Ticket,
    Message,
    TicketEvent,
    Attachment,
    Customer,
    CustomerIdentity,
    SopVersion,
    SopRun,
    StepState,
    Promise,
    Acknowledgement,
    SopException,
    Survey,
    FollowUp,
    RecoveryTask,
    QueueEntry,
    ChatWidget,
    ChatVisitor,
    ChatConversation,
)


@dataclass
class Desk:
    team_a: Team
    team_b: Team
    agent: User  # team A, works ticket A: the rightful user of most endpoints
    supervisor: User  # team A
    manager: User  # every team
    admin: User
    outsider: User  # an agent of team B
    outsider_supervisor: User  # a supervisor of team B
    nobody: User  # signed in, but given no role: no permission at all
    ticket: Ticket  # team A, open, under the damaged-product SOP, with a note and a promise
    resolved: Ticket  # team A, resolved: its survey was answered low, a follow-up is due
    queued: Ticket  # team A, a chat waiting in the team queue
    customer: Customer  # ticket A's customer
    promise: Promise
    follow_up: FollowUp
    recovery: RecoveryTask
    sop_key: str
    other_sop_key: str  # another live SOP, to switch to
    period: str  # the month the resolved ticket belongs to, for the figures
    _tokens: dict[int, str] = field(default_factory=dict)

    def person(self, who: str) -> User | None:
        """A persona by name; "anonymous" is nobody."""
        return None if who == "anonymous" else getattr(self, who)

    def api(self, who: str) -> Client:
        user = self.person(who)
        if user is None:
            return Client()
        if user.pk not in self._tokens:
            self._tokens[user.pk] = token_create(user=user, name="outsider tests").token
        return Client(headers={"Authorization": f"Bearer {self._tokens[user.pk]}"})

    def web(self, who: str) -> Client:
        client = Client()
        user = self.person(who)
        if user is not None:
            client.force_login(user)
        return client


def state(team: Team, *, ignore_presence_of: int | None = None) -> dict[str, Any]:
    """Every watched row, and the presence of the team's people (the refused person's own
    presence may move when their page loads; nobody else's may)."""
    rows: dict[str, Any] = {
        model.__name__: list(model._default_manager.order_by("pk").values()) for model in WATCHED
    }
    rows["presence"] = list(
        AgentPresence.objects.filter(user__teams=team)
        .exclude(user_id=ignore_presence_of)
        .order_by("pk")
        .values()
    )
    return rows


def leaked(body: str) -> list[str]:
    return [marker for marker in MARKERS if marker in body]


def build_desk(sop: SopVersion) -> Desk:
    team_a = factories.make_team("Pelanggan Retail")
    team_b = factories.make_team("Korporat")
    agent = factories.make_user("sari", Role.AGENT, [team_a], first_name="Sari")
    supervisor = factories.make_user("dewi", Role.SUPERVISOR, [team_a], first_name="Dewi")
    manager = factories.make_user("agus", Role.MANAGER, [], first_name="Agus")
    admin = factories.make_user("admin", Role.ADMIN, [], first_name="Admin")
    outsider = factories.make_user("rina", Role.AGENT, [team_b], first_name="Rina")
    nobody = User.objects.create_user("tamu", "tamu@desk.example", factories.PASSWORD)
    outsider_supervisor = factories.make_user("yoga", Role.SUPERVISOR, [team_b], first_name="Yoga")
    # Team B has work of its own, so an outsider's lists are not empty by accident.
    factories.make_ticket(team=team_b, subject="Pesanan korporat", assignee=outsider)

    customer = factories.make_customer(CUSTOMER_NAME, email=CUSTOMER_EMAIL)
    ticket = factories.make_ticket(
        team=team_a,
        customer=customer,
        subject=SUBJECT,
        body="Vas saya datang dalam keadaan rusak dan retak.",
        assignee=agent,
    )
    ticket_add_note(ticket=ticket, by=agent, body=NOTE)
    ticket_reply(ticket=ticket, by=agent, body="Barang pengganti kami kirim dalam 2x24 jam.")
    promise = Promise.objects.get(ticket=ticket)

    # Resolved when the surveys' clock says so; no SOP keyword, so nothing blocks resolving.
    with clock.frozen(RESOLVED_AT - timedelta(hours=2)):
        resolved = factories.make_ticket(
            team=team_a,
            customer=customer,
            subject="Pertanyaan ongkos kirim",
            body="Berapa ongkos kirim ke Bogor?",
            assignee=agent,
        )
    with clock.frozen(RESOLVED_AT):
        ticket_change_status(ticket=resolved, by=agent, status=Status.RESOLVED)
    [survey] = surveys_sent(resolved)
    with clock.frozen(RESOLVED_AT + timedelta(days=1)):
        survey_answer(survey_id=survey.pk, score=1, comment=COMMENT)
    recovery = RecoveryTask.objects.get(ticket=resolved)

    routes(team_a)  # nobody of team A is online: a new chat waits in the queue
    queued = factories.make_ticket(team=team_a, subject=QUEUED_SUBJECT, channel=Channel.CHAT)
    assert QueueEntry.objects.filter(ticket=queued).exists()

    # Last, as an open ticket of the customer's would hold back the follow-up above.
    factories.make_ticket(
        team=team_b, customer=customer, subject=THEIR_SUBJECT, body="Mohon kirim faktur."
    )
    # Another live SOP to switch to; published last, as it would take every new ticket.
    library = Path(__file__).resolve().parents[2] / "sigap" / "sops" / "library"
    other = sop_import(text=(library / "general-enquiry.yaml").read_text(), by=None)
    sop_publish(version=other, by=None, notes="First version")

    return Desk(
        team_a=team_a,
        team_b=team_b,
        agent=agent,
        supervisor=supervisor,
        manager=manager,
        admin=admin,
        outsider=outsider,
        outsider_supervisor=outsider_supervisor,
        nobody=nobody,
        ticket=ticket,
        resolved=resolved,
        queued=queued,
        customer=customer,
        promise=promise,
        follow_up=FollowUp.objects.get(ticket=resolved),
        recovery=recovery,
        sop_key=sop.sop.key,
        other_sop_key=other.sop.key,
        period=RESOLVED_AT.strftime("%Y-%m"),
    )
