"""Forms on the ticket page. They only parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import Team, User
from sigap.accounts.selectors import agents_list
from sigap.tickets.models import Category, Priority, Status, Ticket

_KEEP = [("", _("Keep the current status"))]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply to the customer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=settings.MESSAGE_MAX_CHARS,
    )
    status = forms.ChoiceField(
        label=_("Then set the status to"),
        choices=_KEEP + [c for c in Status.choices if c[0] != Status.NEW],
        required=False,
    )
    # Set when the reply is the message an SOP step asks for: sending it ticks the step off.
    sop_step = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The reply and the note are on one page and both have a "body": distinct element ids.
        kwargs.setdefault("auto_id", "reply_%s")
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note (never sent to the customer)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=settings.MESSAGE_MAX_CHARS,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)


class _UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class PropertiesForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("No category"),
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("No team")
    )
    assignee = _UserChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "subject": ticket.subject,
                "status": ticket.status,
                "priority": ticket.priority,
                "category": ticket.category_id,
                "team": ticket.team_id,
                "assignee": ticket.assignee_id,
            },
        )
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = Category.objects.filter(Q(is_active=True) | Q(pk=ticket.category_id))
        # Anyone who works tickets may be offered; ticket_assign refuses the ones not allowed.
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        assignee.queryset = User.objects.filter(
            Q(pk__in=agents_list().values("pk")) | Q(pk=ticket.assignee_id)
        ).order_by("first_name", "username")
