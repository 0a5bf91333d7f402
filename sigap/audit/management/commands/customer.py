"""`sigap customer export ID --output F` and `sigap customer erase ID --yes`."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sigap.audit.privacy import customer_erase, customer_export
from sigap.customers.models import Customer


class Command(BaseCommand):
    help = "Export everything held about a customer, or erase their personal data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("customer_id", type=int)
        parser.add_argument("--output", help="export: the zip file to write")
        parser.add_argument(
            "--yes", action="store_true", help="erase: confirm that the data may be removed"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        customer = Customer.objects.filter(pk=options["customer_id"]).first()
        if customer is None:
            raise CommandError(_("No customer #%(id)s.") % {"id": options["customer_id"]})
        if options["action"] == "export":
            self._export(customer, options["output"])
        else:
            self._erase(customer, confirmed=options["yes"])

    def _export(self, customer: Customer, output: str | None) -> None:
        if not output:
            raise CommandError(_("Say where to write the export with --output FILE."))
        try:
            # Only the owner may read it: the file holds everything about a person.
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(
                _("%(path)s already exists; nothing was written.") % {"path": output}
            ) from None
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror}
            ) from None
        try:
            with os.fdopen(fd, "wb") as handle:
                payload = customer_export(customer, by=None)
                handle.write(payload)
        except BaseException:
            os.unlink(output)  # no half-written export left behind
            raise
        self.stdout.write(
            _("Customer #%(id)s exported to %(path)s (%(size)s bytes).")
            % {"id": customer.pk, "path": output, "size": len(payload)}
        )

    def _erase(self, customer: Customer, *, confirmed: bool) -> None:
        if not confirmed:
            raise CommandError(
                _("Erasing cannot be undone; run again with --yes to erase customer #%(id)s.")
                % {"id": customer.pk}
            )
        customer_erase(customer, by=None)
        self.stdout.write(_("Customer #%(id)s was erased.") % {"id": customer.pk})
