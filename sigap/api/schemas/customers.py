"""Customers and the identities by which they reach us."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, Field

from sigap.api.schemas.common import Id, Input, PageOf, Text
from sigap.customers.models import IdentityKind


def _known_language(code: str) -> str:
    known = [language for language, _name in settings.LANGUAGES]
    if code not in known:
        raise ValueError(_("Choose one of %(languages)s.") % {"languages": ", ".join(known)})
    return code


Language = Annotated[str, AfterValidator(_known_language)]
Name = Annotated[Text, Field(max_length=200)]


class IdentityIn(Input):
    kind: IdentityKind
    value: Annotated[Text, Field(max_length=320)]
    network: Annotated[Text, Field(max_length=32, description="For social handles.")] = ""


class IdentityOut(Schema):
    id: int
    kind: IdentityKind
    value: str
    network: str
    is_verified: bool


class CustomerIn(Input):
    name: Name = ""
    language: Language = "id"
    is_vip: bool = False
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20)


class CustomerChange(Input):
    """Only the fields present are changed."""

    name: Name | None = None
    language: Language | None = None
    is_vip: bool | None = None
    notes: Annotated[Text, Field(max_length=10_000)] | None = None


class MergeIn(Input):
    source_id: Id = Field(description="The customer folded into this one; it stops being used.")


class CustomerOut(Schema):
    id: int
    name: str
    language: str
    is_vip: bool
    notes: str
    identities: list[IdentityOut]
    merged_into: int | None = Field(
        description="Set on a record that was merged away; GET follows it to the survivor."
    )
    merged_from: list[int] = Field(description="Records that were merged into this one.")
    created_at: datetime
    updated_at: datetime


class CustomerPage(PageOf):
    items: list[CustomerOut]
