"""SOP wording for templates, in the reader's language."""

from __future__ import annotations

from django import template

from sigap.sops.models import SopVersion
from sigap.sops.selectors import version_title

register = template.Library()


@register.filter
def title_of(version: SopVersion) -> str:
    return version_title(version)
