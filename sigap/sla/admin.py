"""Admin pages for calendars and policies: edited as the same YAML the CLI reads, validated
by the same parsers, so a mistake is refused with the field that is wrong."""

from __future__ import annotations

from typing import Any

import yaml
from django import forms
from django.contrib import admin
from django.http import HttpRequest

from sigap.core.errors import InvalidInput
from sigap.sla.configuration import calendar_source_parse, sla_calendar_save, sla_policy_save
from sigap.sla.models import Calendar, Escalation, Policy, TeamCalendar
from sigap.sla.policy import policy_parse


class PolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Policy
        fields = ["source", "team"]
        widgets = {"source": forms.Textarea(attrs={"rows": 30, "cols": 100})}

    def clean_source(self) -> str:
        source: str = self.cleaned_data["source"]
        try:
            policy_parse(source)
        except InvalidInput as invalid:
            raise forms.ValidationError(invalid.message) from invalid
        return source


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PolicyForm
    list_display = ["name", "key", "team", "is_default", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Policy, form: Any, change: bool) -> None:
        saved = sla_policy_save(source=obj.source, by=None, team=obj.team)
        obj.pk = saved.pk


class CalendarModelForm(forms.ModelForm):  # type: ignore[type-arg]
    source = forms.CharField(widget=forms.Textarea(attrs={"rows": 30, "cols": 100}))

    class Meta:
        model = Calendar
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["source"].initial = yaml.safe_dump(
                self.instance.document, allow_unicode=True, sort_keys=False
            )

    def clean_source(self) -> str:
        source: str = self.cleaned_data["source"]
        try:
            calendar_source_parse(source)
        except InvalidInput as invalid:
            raise forms.ValidationError(invalid.message) from invalid
        return source


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = CalendarModelForm
    list_display = ["name", "key", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Calendar, form: Any, change: bool) -> None:
        saved = sla_calendar_save(source=form.cleaned_data["source"], by=None)
        obj.pk = saved.pk


@admin.register(TeamCalendar)
class TeamCalendarAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["team", "calendar"]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["ticket", "level_name", "cause", "by", "at"]
    readonly_fields = ["ticket", "level", "level_name", "role", "cause", "reason", "by", "at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
