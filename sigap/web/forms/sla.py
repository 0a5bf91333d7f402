"""The escalation form. It parses input; the escalation service decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does this need the next level?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
