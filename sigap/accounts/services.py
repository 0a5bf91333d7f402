"""Writes for people, teams and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sigap.accounts.models import ApiToken, Role, Team, User
from sigap.core import clock
from sigap.core.errors import Conflict, InvalidInput, NotFound

TOKEN_PREFIX = "sgp_"


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
