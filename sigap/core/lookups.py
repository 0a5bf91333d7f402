"""Database lookups Sigap needs beyond Django's own."""

from __future__ import annotations

import re
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Lookup
from django.db.models.sql.compiler import SQLCompiler

_CONSTANT = re.compile(r"^[a-z_]{1,32}$")


class InConstants(Lookup):
    """`field IN ('a', 'b')` with the values written into the SQL rather than bound.

    SQLite uses a partial index only when the query repeats the index's condition as literals.
    Only fixed code constants are accepted: anything else is refused, never quoted.
    """

    lookup_name = "in_constants"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        values = list(self.rhs)
        if not values or not all(isinstance(v, str) and _CONSTANT.match(v) for v in values):
            raise ValueError("in_constants takes code constants only")
        return values

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[str | int, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        listed = ", ".join(f"'{value}'" for value in self.rhs)
        return f"{lhs} IN ({listed})", tuple(lhs_params)
