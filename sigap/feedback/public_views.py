"""The pages a customer opens from a link: answer a survey, answer a follow-up.

Nobody signs in here: the signed link is the key. A GET only shows the question; only the
button (a POST with its CSRF token) records, so a mail scanner that follows links records
nothing. Every request counts against the client's limit (429 with Retry-After)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sigap.core.errors import Conflict, DomainError, NotFound
from sigap.feedback.followups import follow_up_answer
from sigap.feedback.links import BadLink, follow_up_id_from, survey_id_from
from sigap.feedback.models import SCORE_RANGE, FollowUp, FollowUpState, Survey, SurveyKind
from sigap.feedback.surveys import survey_answer, survey_for_answer
from sigap.feedback.throttle import public_page_retry_after
from sigap.feedback.wording import customer_language
from sigap.tickets.models import Ticket

View = Callable[..., HttpResponse]


def _address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded-for header is written by the client itself.
    return str(request.META.get("REMOTE_ADDR", ""))


def _language(request: HttpRequest, ticket: Ticket | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    chosen = request.POST.get("lang") or request.GET.get("lang") or ""
    if chosen in codes:
        return chosen
    return customer_language(ticket) if ticket is not None else str(settings.LANGUAGE_CODE)


def _message(
    request: HttpRequest, *, title: str, text: str, status: int, language: str
) -> HttpResponse:
    return render(
        request,
        "feedback/public_message.html",
        {"title": title, "text": text, "language": language, "switch": None},
        status=status,
    )


def throttled(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = public_page_retry_after(_address(request), str(kwargs.get("token", "")))
        if wait is None:
            return view(request, *args, **kwargs)
        language = _language(request, None)
        with translation.override(language):
            response = _message(
                request,
                title=_("Too many requests"),
                text=_("Please wait a moment and open the link again."),
                status=429,
                language=language,
            )
        response["Retry-After"] = str(wait)
        return response

    return wrapped


def _in_language(error: DomainError, language: str) -> str:
    # Services word their refusals when raised, which happened under this language.
    return error.message


def _switch_links(request: HttpRequest, current: str) -> list[tuple[str, str, bool]]:
    links = []
    for code, _name in settings.LANGUAGES:
        # Each language in its own words, so a reader finds theirs whatever the page speaks.
        name = str(translation.get_language_info(code)["name_local"])
        links.append((f"{request.path}?{urlencode({'lang': code})}", name, code == current))
    return links


def _refused(request: HttpRequest, error: DomainError, language: str) -> HttpResponse:
    with translation.override(language):
        title = _("Link not valid") if isinstance(error, NotFound) else _("Closed")
        status = 404 if isinstance(error, NotFound) else 410
        return _message(request, title=title, text=error.message, status=status, language=language)


def _bad_link(request: HttpRequest) -> HttpResponse:
    return _refused(
        request,
        NotFound(_("This link is not valid. Please use the link exactly as we sent it.")),
        _language(request, None),
    )


@throttled
@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey_id = survey_id_from(token)
    except BadLink:
        return _bad_link(request)
    try:
        survey = survey_for_answer(survey_id)
    except DomainError as error:
        found = Survey.objects.select_related("ticket").filter(pk=survey_id).first()
        return _refused(request, error, _language(request, found.ticket if found else None))
    language = _language(request, survey.ticket)
    problem = ""
    typed = {"score": "", "comment": survey.comment}
    if request.method == "POST":
        typed = {
            "score": request.POST.get("score", ""),
            "comment": request.POST.get("comment", ""),
        }
        try:
            with translation.override(language):
                survey_answer(survey_id=survey.pk, score=typed["score"], comment=typed["comment"])
        except DomainError as refused:
            problem = _in_language(refused, language)
        else:
            query = urlencode({"lang": language, "saved": "1"})
            return HttpResponseRedirect(f"{request.path}?{query}")
    low, high = SCORE_RANGE[SurveyKind(survey.kind)]
    chosen = typed["score"] or (str(survey.score) if survey.score is not None else "")
    with translation.override(language):
        return render(
            request,
            "feedback/survey.html",
            {
                "survey": survey,
                "ticket": survey.ticket,
                "is_nps": survey.kind == SurveyKind.NPS,
                "scores": [(str(n), str(n) == chosen) for n in range(low, high + 1)],
                "comment": typed["comment"],
                "error": problem,
                "saved": request.method == "GET" and request.GET.get("saved") == "1",
                "language": language,
                "switch": _switch_links(request, language),
            },
            status=400 if problem else 200,
        )


@throttled
@require_http_methods(["GET", "POST"])
def follow_up_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        follow_up_id = follow_up_id_from(token)
    except BadLink:
        return _bad_link(request)
    follow_up = (
        FollowUp.objects.select_related("ticket", "ticket__customer")
        .filter(pk=follow_up_id)
        .first()
    )
    if follow_up is None:
        return _bad_link(request)
    language = _language(request, follow_up.ticket)
    problem = ""
    if request.method == "POST":
        answer = request.POST.get("solved", "")
        try:
            with translation.override(language):
                if answer not in ("yes", "no"):
                    raise Conflict(_("Choose one of the two buttons."))
                follow_up = follow_up_answer(
                    follow_up_id=follow_up.pk,
                    solved=answer == "yes",
                    note=request.POST.get("note", ""),
                )
        except DomainError as refused:
            problem = _in_language(refused, language)
        else:
            query = urlencode({"lang": language})
            return HttpResponseRedirect(f"{request.path}?{query}")
    with translation.override(language):
        return render(
            request,
            "feedback/follow_up.html",
            {
                "follow_up": follow_up,
                "ticket": follow_up.ticket,
                "is_open": follow_up.state == FollowUpState.WAITING,
                "error": problem,
                "language": language,
                "switch": _switch_links(request, language),
                "action": reverse("follow_up_answer", kwargs={"token": token}),
            },
            status=400 if problem else 200,
        )
