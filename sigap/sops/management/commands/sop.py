"""`sigap sop …`: write SOPs as files, check them, import, export and publish them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sigap.core.errors import DomainError
from sigap.sops.document import SopDocument
from sigap.sops.loading import SopInvalid, load_document
from sigap.sops.models import LIVE_STATUSES, SopVersion, VersionStatus
from sigap.sops.services import sop_import, sop_library_install, sop_publish


class Command(BaseCommand):
    help = "Work with SOP documents: schema, lint, import, export, publish, library."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("schema", help="Print the JSON Schema of an SOP document.")
        lint = actions.add_parser("lint", help="Check SOP files; exit 1 on any problem.")
        lint.add_argument("paths", nargs="+")
        load = actions.add_parser("import", help="Import SOP files (or a folder) as drafts.")
        load.add_argument("paths", nargs="+")
        load.add_argument("--publish", action="store_true", help="Publish each as active.")
        load.add_argument("--notes", default="")
        export = actions.add_parser("export", help="Print an SOP's YAML.")
        export.add_argument("key")
        export.add_argument("--version", type=int, help="Default: the live version.")
        publish = actions.add_parser("publish", help="Publish the draft of an SOP.")
        publish.add_argument("key")
        publish.add_argument("--notes", required=True)
        publish.add_argument("--pilot", action="store_true")
        actions.add_parser("library", help="Install the bundled SOPs the desk does not have.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "schema":
            schema = SopDocument.model_json_schema(by_alias=True)
            self.stdout.write(json.dumps(schema, indent=2, ensure_ascii=False))
        elif action == "lint":
            self._lint(_files(options["paths"]))
        elif action == "import":
            for path in _files(options["paths"]):
                version = self._run(lambda p=path: sop_import(text=p.read_text(), by=None))
                if options["publish"]:
                    self._run(
                        lambda v=version: sop_publish(version=v, by=None, notes=options["notes"])
                    )
                self.stdout.write(
                    f"{path}: {version.sop.key} v{version.number} "
                    f"({'active' if options['publish'] else 'draft'})"
                )
        elif action == "export":
            self.stdout.write(self._version(options["key"], options["version"]).source, ending="")
        elif action == "publish":
            draft = SopVersion.objects.filter(
                sop__key=options["key"], status=VersionStatus.DRAFT
            ).first()
            if draft is None:
                raise CommandError(_("%(key)s has no draft to publish.") % {"key": options["key"]})
            status = VersionStatus.PILOT if options["pilot"] else VersionStatus.ACTIVE
            self._run(
                lambda: sop_publish(version=draft, by=None, notes=options["notes"], status=status)
            )
            self.stdout.write(f"{draft.sop.key} v{draft.number} {status}")
        elif action == "library":
            installed = sop_library_install()
            self.stdout.write(", ".join(installed) if installed else _("Nothing new to install."))

    def _lint(self, paths: list[Path]) -> None:
        failed = 0
        for path in paths:
            try:
                document = load_document(path.read_text(encoding="utf-8"))
            except SopInvalid as invalid:
                failed += 1
                for error in invalid.errors:
                    self.stderr.write(f"{path}: {error}")
            else:
                self.stdout.write(f"{path}: ok ({document.key}, {len(document.steps)} steps)")
        if failed:
            raise CommandError(_("%(count)s file(s) have problems.") % {"count": failed})

    def _run(self, call: Any) -> Any:
        try:
            return call()
        except DomainError as error:
            raise CommandError(error.message) from None

    def _version(self, key: str, number: int | None) -> SopVersion:
        versions = SopVersion.objects.filter(sop__key=key)
        version = (
            versions.filter(number=number).first()
            if number is not None
            else versions.filter(status__in=LIVE_STATUSES).first()
            or versions.order_by("-number").first()
        )
        if version is None:
            raise CommandError(_("No SOP %(key)s.") % {"key": key})
        return version


def _files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        elif path.exists():
            found.append(path)
        else:
            raise CommandError(_("No such file: %(path)s") % {"path": name})
    return found
