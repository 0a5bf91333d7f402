"""`sigap ticket …`: change the status or the assignee of tickets from the shell.

One line per ticket: done, unchanged, or refused with the reason. Exit code 1 when any ticket
was refused, 2 for a command that cannot be carried out at all (bad usage, unknown person,
too many tickets); nothing is changed then. Not being allowed to change tickets at all is
a refusal of every one: exit code 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core.errors import DomainError, InvalidInput
from sigap.tickets.bulk import (
    BulkResult,
    Outcome,
    tickets_bulk_assign,
    tickets_bulk_change_status,
)
from sigap.tickets.models import Status
from sigap.tickets.selectors import ticket_id_from_reference

# What an agent may move tickets to by hand; `new` is only ever a starting point.
STATUS_CHOICES = [s for s in Status.values if s != Status.NEW]
USAGE = 2
REFUSED = 1


class Command(BaseCommand):
    help = "Change the status or the assignee of one or more tickets, as a desk user."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        status = actions.add_parser(
            "status", help="Move tickets to a status; the SOP close gate holds."
        )
        status.add_argument("references", nargs="+", metavar="REF", help="SGP-000042 or 42.")
        status.add_argument("--to", required=True, choices=STATUS_CHOICES, dest="status")
        status.add_argument("--as", required=True, dest="username", metavar="USERNAME")
        status.add_argument("--reason", default="", help="Why, shown on each ticket's timeline.")
        assign = actions.add_parser("assign", help="Give tickets to someone.")
        assign.add_argument("references", nargs="+", metavar="REF")
        assign.add_argument("--to", required=True, dest="assignee", metavar="USERNAME")
        assign.add_argument("--as", required=True, dest="username", metavar="USERNAME")

    def handle(self, *args: Any, **options: Any) -> None:
        by = _person(options["username"], "--as")
        ids = [_ticket_id(reference) for reference in options["references"]]
        try:
            if options["action"] == "status":
                results = tickets_bulk_change_status(
                    by=by, ticket_ids=ids, status=options["status"], reason=options["reason"]
                )
            else:
                assignee = _person(options["assignee"], "--to")
                results = tickets_bulk_assign(by=by, ticket_ids=ids, assignee=assignee)
        except DomainError as error:
            # Too many tickets or a bad value is a usage error; not being allowed is a refusal.
            code = USAGE if isinstance(error, InvalidInput) else REFUSED
            raise CommandError(error.message, returncode=code) from None
        for result in results:
            self.stdout.write(_line(result))
        refused = sum(result.refused for result in results)
        if refused:
            raise CommandError(
                _("%(refused)s of %(count)s ticket(s) were refused and left unchanged.")
                % {"refused": refused, "count": len(results)},
                returncode=REFUSED,
            )


def _line(result: BulkResult) -> str:
    if result.outcome == Outcome.DONE:
        return _("%(reference)s: done") % {"reference": result.reference}
    if result.outcome == Outcome.UNCHANGED:
        return _("%(reference)s: done (it already was)") % {"reference": result.reference}
    return _("%(reference)s: refused: %(reason)s") % {
        "reference": result.reference,
        "reason": result.reason,
    }


def _person(username: str, option: str) -> User:
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None:
        raise CommandError(
            _("%(option)s: no active user %(username)s.")
            % {"option": option, "username": username},
            returncode=USAGE,
        )
    return person


def _ticket_id(reference: str) -> int:
    pk = ticket_id_from_reference(reference)
    if pk is None:
        raise CommandError(
            _("%(reference)s is not a ticket reference (SGP-000042 or 42).")
            % {"reference": reference},
            returncode=USAGE,
        )
    return pk
