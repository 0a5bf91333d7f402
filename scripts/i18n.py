#!/usr/bin/env python3
"""Translation upkeep: `extract` refreshes the .po files (needs GNU gettext), `compile` builds .mo.

.venv/bin/python scripts/i18n.py extract
.venv/bin/python scripts/i18n.py compile
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from sigap.core.translations import compile_all

    action = sys.argv[1] if len(sys.argv) > 1 else "compile"
    if action == "extract":
        os.chdir(ROOT / "sigap")
        call_command("makemessages", locale=["id"], no_obsolete=True, add_location="file")
        call_command(
            "makemessages", locale=["id"], domain="djangojs", no_obsolete=True, add_location="file"
        )
    for path in compile_all():
        print(f"compiled {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
