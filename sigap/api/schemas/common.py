"""Types shared by every resource: ids, safe text, small references to other objects."""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext as _
from ninja import P, PathEx, Schema
from pydantic import AfterValidator, ConfigDict, Field

from sigap.core.errors import InvalidInput

# Ids are 64-bit in the database; a larger number must be refused, not overflow the query.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _storable(value: str) -> str:
    # PostgreSQL refuses NUL characters and lone surrogates; refuse them here with a reason.
    if "\x00" in value:
        raise ValueError(_("Must not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("Must be valid Unicode text.")) from None
    return value


Text = Annotated[str, AfterValidator(_storable)]


class Input(Schema):
    # A misspelt field would otherwise be ignored silently and the change quietly not made.
    model_config = ConfigDict(extra="forbid")

    def refuse_null(self, *names: str) -> None:
        """Of fields that may be left out of a change, refuse those sent as an explicit null."""
        for name in names:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise InvalidInput(_("%(field)s cannot be empty.") % {"field": name}, field=name)


class Ref(Schema):
    """Another object, by id and the name a person knows it by."""

    id: int
    name: str


class PageOf(Schema):
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


# An id in the URL path; same range as Id, documented as a path parameter.
PathId = PathEx[int, P(ge=1, le=MAX_ID)]
