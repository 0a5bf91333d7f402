"""Forms of the SOP checklist panel. They parse input; the SOP services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from sigap.sops.display import DocumentCheck, document_check
from sigap.sops.models import SopVersion, StepStatus
from sigap.sops.selectors import Checklist, version_title


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
        # Known from the list already read, so the page need not ask the database again.
        self.has_versions = bool(versions)
        field = self.fields["version"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            SopVersion.objects.filter(pk__in=[v.pk for v in versions])
            .select_related("sop")
            .defer("source")
        )


# Far beyond any real SOP; keeps a pasted accident from tying up the checker.
MAX_DOCUMENT_CHARS = 100_000
# /sops/new/ is the editor, so an SOP keyed "new" could never be opened.
RESERVED_KEYS = frozenset({"new"})


def editor_text(text: str) -> str:
    """The text as its author wrote it; browsers send a textarea's line ends as CRLF."""
    return text.replace("\r\n", "\n")


class SopEditorForm(forms.Form):
    """The YAML of one SOP. Each problem is kept with its line for the panel beside the editor."""

    document = forms.CharField(
        label=_("The SOP as YAML"),
        strip=False,
        max_length=MAX_DOCUMENT_CHARS,
        widget=forms.Textarea(
            attrs={"rows": 30, "spellcheck": "false", "autocapitalize": "off", "wrap": "off"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.check: DocumentCheck | None = None

    def clean_document(self) -> str:
        text = editor_text(self.cleaned_data["document"])
        if "\x00" in text:
            raise forms.ValidationError(_("The document must not contain NUL characters."))
        self.check = document_check(text)
        if not self.check.is_valid:
            raise forms.ValidationError(
                ngettext_lazy(
                    "The document has %(count)d problem; it is listed with its line.",
                    "The document has %(count)d problems; each is listed with its line.",
                    "count",
                ),
                params={"count": len(self.check.problems)},
            )
        if self.check.summary is not None and self.check.summary.key in RESERVED_KEYS:
            raise forms.ValidationError(
                _("The key %(key)s is taken by the desk's own pages; choose another."),
                params={"key": self.check.summary.key},
            )
        return text


class SpecialPolicyForm(forms.Form):
    """A supervisor allows something the SOP does not foresee, for this customer (seed 004)."""

    description = forms.CharField(
        label=_("What is allowed outside the SOP"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=_("Why this customer needs it"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    step = forms.ChoiceField(label=_("Settles this step"), required=False)

    def __init__(self, *args: Any, checklist: Checklist | None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "policy_%s")
        super().__init__(*args, **kwargs)
        steps = [
            (item.step.id, item.title)
            for item in (checklist.steps if checklist is not None else [])
            if item.state.status in (StepStatus.OPEN, StepStatus.BLOCKED)
        ]
        field = self.fields["step"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("No particular step: the ticket as a whole")), *steps]
