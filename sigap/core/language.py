"""Speak the language a signed-in person chose in their profile (User.language).

LocaleMiddleware has already picked a language from the language cookie or the browser's
Accept-Language. A profile language overrides the browser, but not the cookie: the cookie is
set by the language switcher, so it is what the person chose most recently.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def _supported(code: str) -> str | None:
    """The site language for `code` ("en-us" → "en"), or None when the site does not offer it."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


class UserLanguageMiddleware:
    """Must come after AuthenticationMiddleware (it reads request.user) and LocaleMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._profile_language(request)
        if language is not None:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

    @staticmethod
    def _profile_language(request: HttpRequest) -> str | None:
        if _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")) is not None:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        language = getattr(user, "language", "")
        return _supported(language) if isinstance(language, str) else None
