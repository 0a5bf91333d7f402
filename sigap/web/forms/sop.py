"""Forms of the SOP checklist panel. They parse input; the SOP services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sigap.sops.models import SopVersion
from sigap.sops.selectors import version_title


class StepCompleteForm(forms.Form):
    outcome = forms.CharField(required=False, max_length=64)
    amount = forms.DecimalField(
        label=_("Amount (Rp)"), required=False, min_value=0, max_digits=14, decimal_places=0
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class ApprovalRequestForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (Rp)"), min_value=1, max_digits=14, decimal_places=0
    )
    note = forms.CharField(label=_("What and why"), max_length=1000)


class StepWaiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this step set aside?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class _VersionChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: SopVersion) -> str:
        return f"{version_title(obj)} (v{obj.number})"


class SopSwitchForm(forms.Form):
    version = _VersionChoice(
        label=_("Handle this ticket under"), queryset=SopVersion.objects.none()
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000)

    def __init__(self, *args: Any, versions: list[SopVersion], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "switch_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = SopVersion.objects.filter(pk__in=[v.pk for v in versions]).select_related(
            "sop"
        )
