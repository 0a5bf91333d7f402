"""Key-set pagination on (timestamp, id): every page is an index range scan, never OFFSET."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from sigap.core.errors import InvalidInput

_MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Cursor:
    at: datetime
    pk: int

    def encode(self) -> str:
        raw = f"{self.at.isoformat()}|{self.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            padded = token + "=" * (-len(token) % 4)
            at_text, pk_text = base64.urlsafe_b64decode(padded).decode().split("|")
            at = datetime.fromisoformat(at_text)
            pk = int(pk_text)
            if at.tzinfo is None:
                raise ValueError(at_text)
            # Normalised here so a forged time at the edge of the calendar fails now, not in SQL.
            at = at.astimezone(UTC)
        except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
            raise InvalidInput(_("This page link is not valid."), field="cursor") from None
        # A forged id beyond the database's integer range must be refused, not crash the query.
        if not 0 <= pk <= _MAX_ID:
            raise InvalidInput(_("This page link is not valid."), field="cursor")
        return cls(at=at, pk=pk)


T = TypeVar("T")
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def _after(queryset: QuerySet[M], *, field: str, cursor: str, descending: bool) -> QuerySet[M]:
    """Rows after `cursor` in (`field`, id) order."""
    after = Cursor.decode(cursor)
    near, past = ("lte", "lt") if descending else ("gte", "gt")
    # The first condition is an index range the database can seek to; the second only
    # separates rows that share the cursor's timestamp.
    return queryset.filter(**{f"{field}__{near}": after.at}).filter(
        Q(**{f"{field}__{past}": after.at}) | Q(**{f"pk__{past}": after.pk})
    )


def _page_of(rows: list[M], *, field: str, size: int) -> Page[M]:
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = Cursor(at=getattr(last, field), pk=last.pk).encode()
    return Page(items=rows, next_cursor=next_cursor)


def paginate_desc(queryset: QuerySet[M], *, field: str, cursor: str | None, size: int) -> Page[M]:
    """One page of `queryset` ordered by (`field`, id) descending, after `cursor`."""
    if cursor:
        queryset = _after(queryset, field=field, cursor=cursor, descending=True)
    rows = list(queryset.order_by(f"-{field}", "-pk")[: size + 1])
    return _page_of(rows, field=field, size=size)


def paginate_desc_ranges(
    ranges: list[QuerySet[M]], *, base: QuerySet[M], field: str, cursor: str | None, size: int
) -> Page[M]:
    """One page over the union of several ranges, in one query.

    A condition like `team IN (…) OR assignee = me` makes a planner read every matching row and
    sort them; here each range is read on its own, in index order, for one page at most, and
    only that handful is merged and sorted.
    """
    condition = Q()
    for part in ranges:
        if cursor:
            part = _after(part, field=field, cursor=cursor, descending=True)
        condition |= Q(pk__in=part.order_by(f"-{field}", "-pk").values("pk")[: size + 1])
    rows = list(base.filter(condition).order_by(f"-{field}", "-pk")[: size + 1])
    return _page_of(rows, field=field, size=size)


def paginate_asc(queryset: QuerySet[M], *, field: str, cursor: str | None, size: int) -> Page[M]:
    """One page of `queryset` ordered by (`field`, id) ascending, after `cursor` (oldest first)."""
    if cursor:
        queryset = _after(queryset, field=field, cursor=cursor, descending=False)
    rows = list(queryset.order_by(field, "pk")[: size + 1])
    return _page_of(rows, field=field, size=size)
