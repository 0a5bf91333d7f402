"""Test data made through the same services the product uses."""

from __future__ import annotations

import itertools

from django.utils.text import slugify

from sigap.accounts.models import Role, Team, User
from sigap.accounts.services import team_create, user_create
from sigap.customers.models import Customer, IdentityKind
from sigap.customers.services import IdentityInput, customer_create
from sigap.routing.models import TeamRouting
from sigap.tickets.models import Category, Channel, Priority, Ticket
from sigap.tickets.services import ticket_open

_sequence = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_team(name: str, *, routes: bool = False) -> Team:
    """A team as an admin creates it, with routing switched off unless `routes`.

    A new team routes by default, but the tests of other features open tickets while nobody
    is online: each would wait in the team queue and alert the supervisors. Routing's own
    tests switch it on (tests.routing.helpers.routes) or ask for it here.
    """
    team = team_create(name=name, slug=slugify(name))
    if not routes:
        routing_switch(team, enabled=False)
    return team


def routing_switch(team: Team, *, enabled: bool) -> None:
    """Switch a team's routing as the admin site does: saved, so every cache of it is told."""
    routing = TeamRouting.objects.get(team=team)
    routing.is_enabled = enabled
    routing.save(update_fields=["is_enabled"])


def make_user(
    username: str, role: Role, teams: list[Team], *, first_name: str = "", password: str = PASSWORD
) -> User:
    return user_create(
        username=username,
        email=f"{username}@desk.example",
        password=password,
        role=role,
        teams=teams,
        first_name=first_name,
    )


def make_customer(
    name: str = "", *, email: str | None = None, language: str = "id", phone: str | None = None
) -> Customer:
    number = next(_sequence)
    identities = [IdentityInput(IdentityKind.EMAIL, email or f"pelanggan{number}@mail.example")]
    if phone:
        identities.append(IdentityInput(IdentityKind.PHONE, phone))
    return customer_create(
        by=None, name=name or f"Pelanggan {number}", language=language, identities=identities
    )


def make_category(name: str) -> Category:
    return Category.objects.create(name=name, slug=slugify(name))


def make_ticket(
    *,
    team: Team | None,
    customer: Customer | None = None,
    subject: str = "Barang rusak saat diterima",
    body: str = "Paket saya datang dalam keadaan pecah.",
    channel: Channel = Channel.EMAIL,
    priority: Priority = Priority.NORMAL,
    assignee: User | None = None,
) -> Ticket:
    customer = customer or make_customer()
    return ticket_open(
        customer=customer,
        identity=customer.identities.first(),
        channel=channel,
        subject=subject,
        body=body,
        team=team,
        priority=priority,
        assignee=assignee,
    )
