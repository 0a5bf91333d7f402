"""The `sigap` command: Django's management commands, with Sigap's settings."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    from django.core.management import execute_from_command_line

    arguments = sys.argv[1:]
    if arguments and not arguments[0].startswith("-"):
        # Commands are spelt with hyphens (`sigap ingest-email`); Django names them with `_`.
        arguments[0] = arguments[0].replace("-", "_")
    execute_from_command_line(["sigap", *arguments])


if __name__ == "__main__":
    main()
