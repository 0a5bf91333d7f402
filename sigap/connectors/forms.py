"""The admin's connector form: secrets are write-only, the outbound URL is checked on save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.connectors.egress import ForbiddenDestination, HostNotFound, check_url
from sigap.connectors.models import Connector
from sigap.connectors.registry import kind_choices, kind_get
from sigap.connectors.vault import SecretsUnreadable, unseal

MODEL_FIELDS = ["name", "kind", "team", "network", "outbound_url", "is_enabled", "is_trusted"]


def secret_names() -> dict[str, Any]:
    names: dict[str, Any] = {}
    for key, _label in kind_choices():
        names.update(kind_get(key).secret_labels)
    return names


def _secret_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        max_length=512,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Never shown again. Leave empty to keep the current one."),
    )


class _ConnectorForm(forms.ModelForm):  # type: ignore[type-arg]
    outbound_url = forms.URLField(
        label=gettext_lazy("outbound URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=Connector._meta.get_field("outbound_url").help_text,
    )

    class Meta:
        model = Connector
        fields = MODEL_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].required = False
        self.fields["network"].help_text = gettext_lazy(
            "Empty: the kind's own (telegram, webhook)."
        )

    def stored_secrets(self) -> dict[str, str]:
        if self.instance.pk is None:
            return {}
        try:
            return unseal(self.instance.sealed_secrets)
        except SecretsUnreadable:
            return {}

    def entered_secrets(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in secret_names()}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        key = cleaned.get("kind")
        if not key:
            return cleaned
        kind = kind_get(key)
        if not cleaned.get("network"):
            cleaned["network"] = kind.default_network
        url = cleaned.get("outbound_url") or ""
        if kind.is_outbound_url_required and not url:
            self.add_error("outbound_url", _("This kind of connector needs an outbound URL."))
        elif url:
            try:
                check_url(url)
            except ForbiddenDestination as refused:
                self.add_error("outbound_url", refused.message)
            except HostNotFound as unknown:
                self.add_error("outbound_url", str(unknown))
        stored = self.stored_secrets()
        for name, label in kind.secret_labels.items():
            missing = not cleaned.get(name) and not stored.get(name)
            if missing and name not in kind.generated:
                self.add_error(name, _("%(label)s is needed.") % {"label": label})
        return cleaned


# Declared on the class (not added in __init__) so the admin can list them as form fields.
ConnectorForm: type[_ConnectorForm] = type(
    "ConnectorForm",
    (_ConnectorForm,),
    {name: _secret_field(label) for name, label in secret_names().items()},
)
