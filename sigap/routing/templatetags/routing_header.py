"""The presence control in every desk page's header."""

from __future__ import annotations

from typing import Any

from django import template

from sigap.routing.models import Presence
from sigap.routing.selectors import presence_of

register = template.Library()


@register.inclusion_tag("routing/_presence_control.html", takes_context=True)
def presence_control(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    works_tickets = user.is_authenticated and user.has_perm("tickets.change_ticket")
    presence = presence_of(user) if works_tickets else None
    return {
        "works_tickets": works_tickets,
        "status": presence.status if presence else Presence.OFFLINE,
        "choices": Presence.choices,
        "next": request.get_full_path(),
        "supervises": user.is_authenticated and user.has_perm("tickets.assign_any_agent"),
        "csrf_token": context.get("csrf_token"),
    }
