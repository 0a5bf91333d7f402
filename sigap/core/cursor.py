"""Key-set pagination on (timestamp, id) descending: every page is an index range scan."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from sigap.core.errors import InvalidInput


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
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise InvalidInput(_("This page link is not valid."), field="cursor") from None
        if at.tzinfo is None or pk < 0:
            raise InvalidInput(_("This page link is not valid."), field="cursor")
        return cls(at=at, pk=pk)


T = TypeVar("T")
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def paginate_desc(queryset: QuerySet[M], *, field: str, cursor: str | None, size: int) -> Page[M]:
    """One page of `queryset` ordered by (`field`, id) descending, after `cursor`."""
    if cursor:
        after = Cursor.decode(cursor)
        # The first condition is an index range the database can seek to; the second only
        # separates rows that share the cursor's timestamp.
        queryset = queryset.filter(**{f"{field}__lte": after.at}).filter(
            Q(**{f"{field}__lt": after.at}) | Q(pk__lt=after.pk)
        )
    rows = list(queryset.order_by(f"-{field}", "-pk")[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = Cursor(at=getattr(last, field), pk=last.pk).encode()
    return Page(items=rows, next_cursor=next_cursor)
