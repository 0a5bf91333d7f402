"""Mail to staff about their own account: password-reset and invitation links.

Sent from background jobs (sigap.accounts.jobs), never inside the request that asked for them.
Links are made here, at sending time, so a working link never rests in the database.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sigap.accounts.models import Invitation, Role, User
from sigap.accounts.services import invitation_token_issue, password_reset_link_hours
from sigap.core import clock


def _same_address(typed: str, stored: str) -> bool:
    # Compared again in Python after the case-insensitive query: some databases fold Unicode
    # differently, and a look-alike address must never receive another person's link.
    return typed.casefold() == stored.casefold()


def _send(*, to: str, subject: str, body: str) -> None:
    EmailMessage(
        subject=subject,
        body=body,
        to=[to],
        headers={"Auto-Submitted": "auto-generated"},
    ).send(fail_silently=False)


def password_reset_mail_send(*, email: str, link_base: str) -> int:
    """Mail a reset link to each active account with this address. Returns how many were sent.

    Accounts whose password was deliberately made unusable are left out, like Django does.
    """
    users = [
        user
        for user in User.objects.filter(email__iexact=email, is_active=True)
        if user.has_usable_password() and _same_address(email, user.email)
    ]
    hours = password_reset_link_hours()
    for user in users:
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        with translation.override(user.language or settings.LANGUAGE_CODE):
            body = "\n\n".join(
                [
                    _("Hello %(name)s,") % {"name": user.display_name},
                    _("Someone asked to reset the password of your Sigap account %(username)s.")
                    % {"username": user.username},
                    _("Open this link to choose a new password:") + f"\n{link_base}{path}",
                    ngettext(
                        "The link works once, within %(hours)d hour.",
                        "The link works once, within %(hours)d hours.",
                        hours,
                    )
                    % {"hours": hours},
                    _("If it was not you, ignore this mail: your password stays as it is."),
                ]
            )
            subject = _("Reset your Sigap password")
        _send(to=user.email, subject=subject, body=body)
    return len(users)


def invitation_mail_send(*, invitation_id: int, link_base: str) -> bool:
    """Mail the invitation's link; False when it was accepted or withdrawn in the meantime."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("created_by")
        .filter(pk=invitation_id)
        .first()
    )
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.expires_at <= clock.now()
        or invitation.digest
    ):
        # Withdrawn, used, replaced by a newer invitation, or mailed by an earlier attempt.
        return False
    token = invitation_token_issue(invitation=invitation)
    path = reverse("invitation_accept", kwargs={"token": token})
    inviter = invitation.created_by.display_name if invitation.created_by else "Sigap"
    with translation.override(settings.LANGUAGE_CODE):
        expires = date_format(timezone.localtime(invitation.expires_at), "j F Y, H:i T")
        body = "\n\n".join(
            [
                _("%(inviter)s invites you to work on the Sigap customer-service desk as %(role)s.")
                % {"inviter": inviter, "role": Role(invitation.role).label},
                _("Open this link to choose your username and password:") + f"\n{link_base}{path}",
                _("The link works once and until %(expires)s.") % {"expires": expires},
            ]
        )
        subject = _("You are invited to Sigap")
    _send(to=invitation.email, subject=subject, body=body)
    return True
