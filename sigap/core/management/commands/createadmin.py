from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sigap.accounts.services import admin_create
from sigap.core.errors import DomainError


class Command(BaseCommand):
    help = "Create an admin account without asking questions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = admin_create(
                username=options["username"], email=options["email"], password=options["password"]
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS(f"Admin {user.username} created."))
