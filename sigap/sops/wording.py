"""Filling an SOP message template for one ticket, in the customer's language."""

from __future__ import annotations

import string
from collections.abc import Mapping

from sigap.accounts.models import User
from sigap.sops.document import Step
from sigap.tickets.models import Ticket


class _KeepMissing(dict[str, str]):
    # A value not known yet (a promised date) stays as {name} for the agent to fill in.
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def template_values(ticket: Ticket, agent: User | None, sop_title: str) -> dict[str, str]:
    return {
        "customer_name": ticket.customer.name or "",
        "ticket_reference": ticket.reference,
        "agent_name": agent.first_name or agent.username if agent else "",
        "team_name": ticket.team.name if ticket.team else "",
        "sop_title": sop_title,
    }


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """`text` with its {names} filled in; unknown names stay as written."""
    return string.Formatter().vformat(text, (), _KeepMissing(values))


def fill(step: Step, language: str, values: Mapping[str, str]) -> str:
    if step.template is None:
        return ""
    return fill_text(step.template.get(language), values)
