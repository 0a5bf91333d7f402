"""Tickets for the bulk-action tests: one held by the damaged-product SOP's close gate, one
whose mandatory steps were waived, and one of another team."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission

from sigap.accounts.models import Role, Team, User
from sigap.sops.services import sop_step_waive
from sigap.tickets.models import Status, Ticket
from tests.factories import make_ticket, make_user

# Nobody chose at the SOP's decision, so none of its branches is taken: these are all it holds.
MANDATORY = ("acknowledge", "ask-evidence", "verify", "resolution")
GATE = (
    "Finish or waive these SOP steps first: “Reply with thanks and an apology”,"
    " “Ask for a photo or video of the damage”"
)


@dataclass
class Batch:
    gated: Ticket
    waived: Ticket
    foreign: Ticket

    @property
    def ids(self) -> list[int]:
        return [self.gated.pk, self.waived.pk, self.foreign.pk]


def batch(team_a: Team, team_b: Team, supervisor: User) -> Batch:
    gated = make_ticket(team=team_a, subject="Vas pecah", body="Datang rusak")
    waived = make_ticket(team=team_a, subject="Piring retak", body="Datang rusak")
    for step in MANDATORY:
        sop_step_waive(ticket=waived, step_id=step, by=supervisor, reason="Diselesaikan di toko")
    foreign = make_ticket(team=team_b, subject="Tagihan ganda", body="Saya ditagih dua kali")
    return Batch(gated, waived, foreign)


def status_of(ticket: Ticket) -> str:
    ticket.refresh_from_db()
    return ticket.status


def untouched(ticket: Ticket) -> bool:
    """Still new, with no status or assignee change on its timeline."""
    ticket.refresh_from_db()
    changes = ticket.events.filter(kind__in=["status_changed", "assignee_changed"])
    return ticket.status == Status.NEW and ticket.assignee_id is None and not changes.exists()


def read_only_agent(team: Team) -> User:
    """Someone who may read the team's tickets but change none of them."""
    person = make_user("tamu", Role.AGENT, [team], first_name="Tamu")
    person.groups.clear()
    person.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    return User.objects.get(pk=person.pk)  # a fresh object: permissions are cached per object
