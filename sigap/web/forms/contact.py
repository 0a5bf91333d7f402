"""Logging a phone call or a walk-in visit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import Team, User
from sigap.tickets import access
from sigap.tickets.models import Category, Channel, Priority


class ContactForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Contact"),
        choices=[(Channel.PHONE, _("Phone call")), (Channel.WALK_IN, _("Walk-in visit"))],
        widget=forms.RadioSelect,
        initial=Channel.PHONE,
    )
    customer = forms.IntegerField(
        label=_("Existing customer number"),
        required=False,
        min_value=1,
        help_text=_("Leave empty to find or add the customer by email or phone."),
    )
    email = forms.CharField(label=_("Email"), max_length=320, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("Used when the customer is new."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=255)
    summary = forms.CharField(
        label=_("What the customer said"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=settings.MESSAGE_MAX_CHARS,
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("No category"),
    )
    resolved_on_the_spot = forms.BooleanField(label=_("Resolved on the spot"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.all()
        if not access.has_wide_access(user):
            teams = teams.filter(pk__in=access.team_ids(user))
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)
        team.queryset = teams
        first = teams.first()
        if first is not None:
            self.fields["team"].initial = first.pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("customer") or data.get("email") or data.get("phone")):
            raise forms.ValidationError(
                _("Give the customer's number, email address or phone number.")
            )
        return data
