from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sigap.accounts.models import User
from sigap.accounts.services import token_create, token_revoke
from sigap.core.errors import DomainError


class Command(BaseCommand):
    help = "Create or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Print a new token for a user.")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="")
        revoke = actions.add_parser("revoke", help="Revoke a token by its first 12 characters.")
        revoke.add_argument("--user", required=True)
        revoke.add_argument("--prefix", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']}.")
        if options["action"] == "create":
            issued = token_create(user=user, name=options["name"])
            self.stdout.write(issued.token)
            return
        try:
            token_revoke(user=user, prefix=options["prefix"])
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write("Revoked.")
