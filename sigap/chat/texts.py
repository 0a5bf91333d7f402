"""The widget's words, in the visitor's language; the script itself holds no text."""

from __future__ import annotations

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _


def widget_texts(language: str) -> dict[str, str]:
    with translation.override(language):
        return {
            "open": _("Chat with us"),
            "close": _("Close the chat"),
            "title": _("Chat with us"),
            "name": _("Your name (optional)"),
            "email": _("Your email (optional)"),
            "save": _("Save"),
            "message": _("Your message"),
            "send": _("Send"),
            "attach": _("Send a file"),
            "you": _("You"),
            "agent": _("Customer service"),
            "unavailable": _(
                "Nobody from our team can answer live right now. Leave your email and your "
                "question, and we will answer you by email — nothing you wrote is lost."
            ),
            "email_required": _("Your email address"),
            "continue_by_email": _("Continue by email"),
            "moved": _("Thank you. We will answer you by email at %(email)s."),
            "offline": _("Reconnecting…"),
            "too_large": _("The file is larger than %(max)s.")
            % {"max": filesizeformat(settings.ATTACHMENT_MAX_BYTES)},
        }
