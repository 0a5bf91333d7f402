"""What every page view needs: the signed-in user, visible tickets and domain errors as forms."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.core.errors import DomainError, NotFound
from sigap.tickets import access
from sigap.tickets.models import Ticket

logger = logging.getLogger(__name__)


def current_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def visible_ticket(user: User, pk: int) -> Ticket:
    """The ticket, or a 404 that does not tell whether it exists in another team."""
    try:
        return access.ticket_for(user, pk)
    except NotFound as error:
        raise Http404(error.message) from None


def form_error(form: forms.BaseForm, error: DomainError) -> int:
    """Show a service's refusal on the form, beside its field when the form has one.

    Returns the HTTP status the page is answered with.
    """
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    # The page's own object was found before the form was read, so a NotFound here is about
    # something typed into the form: bad input, not a missing page.
    return 400 if isinstance(error, NotFound) else error.status_code


def submitted(
    request: HttpRequest, form: forms.BaseForm, action: Callable[[dict[str, Any]], str]
) -> int | None:
    """Validate `form` and hand its data to `action`, which calls the service and returns the
    message to flash. None on success; otherwise the status to answer the re-shown form with.
    """
    if not form.is_valid():
        return 400
    try:
        done = action(form.cleaned_data)
    except DomainError as error:
        return form_error(form, error)
    except (OperationalError, InterfaceError):
        # The database is locked (SQLite under a burst of writers) or away, and the service's
        # transaction rolled back. The form again with what was typed, not a server error page
        # that loses it (bench/load.py saw agents' replies end so).
        logger.warning("form not saved, database unavailable", exc_info=True)
        form.add_error(
            None,
            _("The desk could not save this just now; nothing was changed. Please send it again."),
        )
        return 503
    messages.success(request, done)
    return None
