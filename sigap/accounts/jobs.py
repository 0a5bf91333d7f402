"""Background work for accounts: mailing password-reset and invitation links."""

from __future__ import annotations

from typing import Any

from sigap.accounts.mail import invitation_mail_send, password_reset_mail_send
from sigap.accounts.services import INVITATION_MAIL, PASSWORD_RESET_MAIL
from sigap.core.jobs import job_handler


@job_handler(PASSWORD_RESET_MAIL)
def password_reset_mail(payload: dict[str, Any]) -> None:
    password_reset_mail_send(email=str(payload["email"]), link_base=str(payload["link_base"]))


@job_handler(INVITATION_MAIL)
def invitation_mail(payload: dict[str, Any]) -> None:
    invitation_mail_send(
        invitation_id=int(payload["invitation"]), link_base=str(payload["link_base"])
    )
