"""Forms on the customer pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sigap.customers.models import IdentityKind


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    is_vip = forms.BooleanField(label=_("VIP"), required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class IdentityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentityKind.choices)
    network = forms.CharField(
        label=_("Network"),
        max_length=32,
        required=False,
        help_text=_("For social handles, e.g. instagram."),
    )
    value = forms.CharField(label=_("Address, number or handle"), max_length=320)


class MergeForm(forms.Form):
    other = forms.CharField(
        label=_("The other customer"),
        max_length=320,
        help_text=_("Their number (#123), email address or phone number."),
    )
