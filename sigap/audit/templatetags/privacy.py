"""The customer page's export and erase panel, shown to managers only."""

from __future__ import annotations

from typing import Any

from django import template

from sigap.audit.privacy import may_handle_personal_data

register = template.Library()


@register.inclusion_tag("audit/_privacy_panel.html", takes_context=True)
def privacy_panel(context: template.Context, customer: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = bool(user and user.is_authenticated and may_handle_personal_data(user))
    return {"shown": shown, "customer": customer, "csrf_token": context.get("csrf_token")}
