"""Signed links the customer opens: a survey, or the answer to a follow-up.

A link names its row and is signed with the site's secret key (django.core.signing), so a
changed digit is refused; how long it works is kept on the row, not in the link, so the desk
can end it early and the clock that decides is the desk's own.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SURVEY_SALT = "sigap.feedback.survey"
_FOLLOW_UP_SALT = "sigap.feedback.follow-up"


class BadLink(Exception):
    """The link was not made by this desk, or was changed."""


def public_base() -> str:
    """Scheme and host of links in messages sent from background work, where no request is
    at hand: the configured public address (SIGAP_PUBLIC_URL), else the default local desk."""
    return str(settings.PUBLIC_URL) or "http://127.0.0.1:8000"


def _token(salt: str, pk: int) -> str:
    return signing.Signer(salt=salt).sign_object({"id": pk})


def _read(salt: str, token: str) -> int:
    try:
        data = signing.Signer(salt=salt).unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise BadLink from None
    pk = data.get("id") if isinstance(data, dict) else None
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise BadLink
    return pk


def survey_token(survey_id: int) -> str:
    return _token(_SURVEY_SALT, survey_id)


def survey_id_from(token: str) -> int:
    return _read(_SURVEY_SALT, token)


def follow_up_token(follow_up_id: int) -> str:
    return _token(_FOLLOW_UP_SALT, follow_up_id)


def follow_up_id_from(token: str) -> int:
    return _read(_FOLLOW_UP_SALT, token)


def survey_url(survey_id: int) -> str:
    path = reverse("survey_answer", kwargs={"token": survey_token(survey_id)})
    return f"{public_base()}{path}"


def follow_up_url(follow_up_id: int) -> str:
    path = reverse("follow_up_answer", kwargs={"token": follow_up_token(follow_up_id)})
    return f"{public_base()}{path}"
