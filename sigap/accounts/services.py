"""Writes for people, teams and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import BaseUserManager, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sigap.accounts.models import ApiToken, Invitation, Role, Team, User
from sigap.core import clock
from sigap.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from sigap.core.jobs import job_enqueue

TOKEN_PREFIX = "sgp_"  # nosec B105  # the public prefix of every token
PASSWORD_RESET_MAIL = "password_reset_mail"  # nosec B105  # a job kind
INVITATION_MAIL = "invitation_mail"


def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    role: Role,
    teams: list[Team] | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    if User.objects.filter(username=username).exists():
        raise Conflict(_("A user named %(name)s already exists.") % {"name": username})
    with transaction.atomic():
        user = User(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=role))
        if teams:
            user.teams.add(*teams)
    return user


def admin_create(*, username: str, email: str, password: str) -> User:
    if not username:
        raise InvalidInput(_("A username is required."), field="username")
    if not password:
        raise InvalidInput(_("A password is required."), field="password")
    return user_create(username=username, email=email, password=password, role=Role.ADMIN)


def first_admin_ensure() -> tuple[User, str] | None:
    """Create an admin with a random password if the desk has none; return it with the password."""
    if User.objects.filter(is_superuser=True).exists():
        return None
    password = secrets.token_urlsafe(12)
    try:
        with transaction.atomic():
            return admin_create(username="admin", email="", password=password), password
    except (IntegrityError, Conflict):
        # Another node starting at the same moment created it first.
        return None


def team_create(*, name: str, slug: str, email: str = "") -> Team:
    return Team.objects.create(name=name, slug=slug, email=email)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: str
    record: ApiToken


def token_create(*, user: User, name: str = "") -> IssuedToken:
    """A new bearer token for `user`. The token text is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, name=name, prefix=token[:12], digest=_digest(token))
    return IssuedToken(token=token, record=record)


def token_authenticate(token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    record = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if record is None:
        return None
    now = clock.now()
    # Touch at most once a minute so reads stay reads.
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user


def token_revoke(*, user: User, prefix: str) -> ApiToken:
    record = ApiToken.objects.filter(user=user, prefix=prefix, revoked_at__isnull=True).first()
    if record is None:
        raise NotFound(_("No active token starts with %(prefix)s.") % {"prefix": prefix})
    record.revoked_at = clock.now()
    record.save(update_fields=["revoked_at"])
    return record


# API tokens are deliberately left alone when a password changes or is reset: they belong to
# integrations, which would break silently, and each one is revoked on its own
# (`sigap token revoke`, or the admin's API token page) when it may have leaked.


def password_reset_link_hours() -> int:
    """How many whole hours a mailed reset link works, as the mail and the pages say it."""
    return max(1, int(settings.PASSWORD_RESET_TIMEOUT) // 3600)


def password_reset_request(*, email: str, link_base: str) -> None:
    """Queue a password-reset mail for the active accounts with this address, if any.

    The request does the same work whether or not such an account exists — one job row, no
    lookup — so neither its answer nor its timing tells which addresses have accounts. The job
    finds the accounts and makes the single-use link when it sends the mail
    (sigap.accounts.mail), so no working link is ever stored.
    """
    job_enqueue(
        kind=PASSWORD_RESET_MAIL,
        payload={"email": email.strip(), "link_base": link_base},
        max_attempts=5,
    )


class InvitationUnusable(Conflict):
    """The invitation was accepted already or has expired."""

    status_code = 410
    code = "gone"


def invitation_for_token(token: str, *, lock: bool = False) -> Invitation:
    """The invitation this link's token opens, if it can still be accepted.

    With `lock`, its row stays locked until the caller's transaction ends.
    """
    invitations = Invitation.objects.filter(digest=_digest(token))
    if lock:
        invitations = invitations.select_for_update()
    invitation = invitations.first()
    if invitation is None:
        raise NotFound(_("This invitation link is not valid. Check that it was copied whole."))
    _check_invitation_open(invitation)
    return invitation


def _check_invitation_open(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise InvitationUnusable(
            _("This invitation has already been used. Sign in with the account it made.")
        )
    if invitation.expires_at <= clock.now():
        raise InvitationUnusable(
            _("This invitation has expired. Ask the person who invited you for a new one.")
        )


def _check_invitation_create(*, email: str, role: Role, by: User) -> None:
    if not by.has_perm("accounts.add_user"):
        raise NotAllowed(_("You may not invite people to the desk."))
    if role == Role.ADMIN and not by.is_superuser:
        raise NotAllowed(_("Only an admin may invite another admin."), field="role")
    if User.objects.filter(email__iexact=email, is_active=True).exists():
        raise Conflict(
            _("%(email)s already has an account on this desk.") % {"email": email}, field="email"
        )


def invitation_create(
    *, email: str, role: Role, teams: list[Team], by: User, link_base: str
) -> Invitation:
    """Invite `email` to join with `role` and `teams`; the link is mailed through the job queue.

    An earlier invitation to the same address that is still open stops working: the newest
    mail is the one that counts.
    """
    email = BaseUserManager.normalize_email(email.strip())
    if not email:
        raise InvalidInput(_("An email address is required."), field="email")
    _check_invitation_create(email=email, role=role, by=by)
    now = clock.now()
    with transaction.atomic():
        Invitation.objects.filter(
            email__iexact=email, accepted_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            created_by=by,
            created_at=now,
            expires_at=now + timedelta(hours=settings.INVITATION_HOURS),
        )
        invitation.teams.set(teams)
        job_enqueue(
            kind=INVITATION_MAIL,
            payload={"invitation": invitation.pk, "link_base": link_base},
            idempotency_key=f"invitation:{invitation.pk}",
            max_attempts=5,
        )
    return invitation


def invitation_token_issue(*, invitation: Invitation) -> str:
    """A new token for the invitation's link; only its hash is kept. Call inside the mail job."""
    token = secrets.token_urlsafe(32)
    invitation.digest = _digest(token)
    invitation.save(update_fields=["digest"])
    return token


def _password_problems(password: str, user: User) -> str | None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def invitation_accept(
    *, token: str, username: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Make the invited person's account with the chosen username and password.

    The link works once: the invitation row is locked, checked and marked accepted in the same
    transaction that makes the account.
    """
    username = username.strip()
    if not username:
        raise InvalidInput(_("Choose a username."), field="username")
    with transaction.atomic():
        invitation = invitation_for_token(token, lock=True)
        if User.objects.filter(username__iexact=username).exists():
            raise Conflict(
                _("The username %(name)s is taken; choose another.") % {"name": username},
                field="username",
            )
        candidate = User(
            username=username, email=invitation.email, first_name=first_name, last_name=last_name
        )
        problems = _password_problems(password, candidate)
        if problems:
            raise InvalidInput(problems, field="password")
        user = user_create(
            username=username,
            email=invitation.email,
            password=password,
            role=Role(invitation.role),
            teams=list(invitation.teams.all()),
            first_name=first_name,
            last_name=last_name,
        )
        invitation.accepted_at = clock.now()
        invitation.user = user
        invitation.save(update_fields=["accepted_at", "user"])
    return user
