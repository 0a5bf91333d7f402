"""The inbox's action bar: the chosen tickets are changed each on its own, the SOP close gate
refuses a ticket with its reason shown, and nobody gets past the permissions or CSRF."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from sigap.accounts.models import Team, User
from sigap.sops.models import SopVersion
from sigap.tickets.bulk import MAX_TICKETS
from sigap.tickets.models import Status
from tests.factories import make_ticket
from tests.tickets.bulk_desk import GATE, batch, read_only_agent, status_of, untouched
from tests.web.pages import text


def _bulk(client: Client, **form: Any) -> Any:
    return client.post("/tickets/bulk/", form, follow=True)


def _messages(response: Any) -> list[str]:
    found = re.findall(r'<li class="message[^"]*">(.*?)</li>', response.content.decode(), re.S)
    return [" ".join(message.split()).replace("&#x27;", "'") for message in found]


def test_resolving_a_batch_resolves_what_may_be_and_names_each_refusal(
    client: Client,
    damaged_product: SopVersion,
    team_a: Team,
    team_b: Team,
    agent: User,
    supervisor: User,
) -> None:
    tickets = batch(team_a, team_b, supervisor)
    client.force_login(agent)

    response = _bulk(client, ids=tickets.ids, action="resolve", next="/?view=team")

    assert response.redirect_chain == [("/?view=team", 302)]
    shown = _messages(response)
    assert shown[0] == f"Done for 1 ticket: {tickets.waived.reference}."
    assert f"{tickets.gated.reference} was not changed: {GATE}" in shown[1]
    assert shown[2] == (
        f"{tickets.foreign.reference} was not changed: "
        f"No ticket {tickets.foreign.reference}, or you may not see it."
    )
    assert status_of(tickets.waived) == Status.RESOLVED
    assert untouched(tickets.gated)
    assert untouched(tickets.foreign)


def test_the_inbox_offers_a_checkbox_per_row_and_the_action_bar(
    client: Client, team_a: Team, agent: User
) -> None:
    ticket = make_ticket(team=team_a)
    client.force_login(agent)

    page = client.get("/").content.decode()

    assert f'name="ids" value="{ticket.pk}" form="bulk-actions"' in page
    assert f'aria-label="Choose {ticket.reference}"' in page
    assert 'id="bulk-all"' in page
    assert '<form id="bulk-actions"' in page
    for action in ("resolve", "close", "pending_customer", "assign_me", "assign"):
        assert f'name="action" value="{action}"' in page
    assert "<script>" not in page  # the strict CSP allows scripts from files only
    assert 'src="/static/web/inbox-bulk.js"' in page


def test_someone_who_may_not_change_tickets_sees_no_bar_and_is_refused_403(
    client: Client, team_a: Team
) -> None:
    ticket = make_ticket(team=team_a)
    reader = read_only_agent(team_a)
    client.force_login(reader)

    page = client.get("/").content.decode()
    refused = client.post("/tickets/bulk/", {"ids": [ticket.pk], "action": "resolve"})

    assert ticket.reference in page
    assert "bulk-actions" not in page
    assert refused.status_code == 403
    assert untouched(ticket)


def test_a_post_without_the_csrf_token_is_refused(team_a: Team, agent: User) -> None:
    ticket = make_ticket(team=team_a)
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    response = client.post("/tickets/bulk/", {"ids": [ticket.pk], "action": "resolve"})

    assert response.status_code == 403
    assert untouched(ticket)


def test_more_than_the_limit_changes_nothing_and_says_why(
    client: Client, team_a: Team, agent: User
) -> None:
    ticket = make_ticket(team=team_a)
    client.force_login(agent)
    ids = [ticket.pk, *range(ticket.pk + 1, ticket.pk + MAX_TICKETS + 1)]

    response = _bulk(client, ids=ids, action="resolve")

    assert _messages(response) == [
        f"At most {MAX_TICKETS} tickets at once; {MAX_TICKETS + 1} were chosen. "
        "Nothing was changed."
    ]
    assert untouched(ticket)


def test_assign_to_me_and_to_a_teammate(
    client: Client, team_a: Team, agent: User, teammate: User
) -> None:
    first, second = make_ticket(team=team_a), make_ticket(team=team_a)
    client.force_login(agent)

    _bulk(client, ids=[first.pk], action="assign_me")
    response = _bulk(client, ids=[second.pk], action="assign", assignee=str(teammate.pk))

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.assignee == agent
    assert second.assignee == teammate
    assert "Budi" in text(response)


def test_nothing_chosen_or_no_assignee_is_explained(
    client: Client, team_a: Team, agent: User
) -> None:
    ticket = make_ticket(team=team_a)
    client.force_login(agent)

    nothing = _bulk(client, action="resolve")
    nobody = _bulk(client, ids=[ticket.pk], action="assign", assignee="")

    assert _messages(nothing) == ["Choose at least one ticket."]
    assert _messages(nobody) == ["Choose who to assign the tickets to."]
    assert untouched(ticket)


def test_it_leads_back_only_to_the_inbox(client: Client, team_a: Team, agent: User) -> None:
    ticket = make_ticket(team=team_a)
    client.force_login(agent)

    away = client.post(
        "/tickets/bulk/",
        {"ids": [ticket.pk], "action": "pending_customer", "next": "https://evil.example/"},
    )

    assert away.status_code == 302
    assert away["Location"] == "/"
    assert status_of(ticket) == Status.PENDING_CUSTOMER
