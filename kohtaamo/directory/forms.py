"""Forms for the public filters and the staff editing of sites and hours."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from kohtaamo.directory.models import (
    Language,
    Municipality,
    OpeningException,
    OpeningRule,
    Organisation,
    Site,
    WellbeingServicesCounty,
)
from kohtaamo.lib import hours

WEEKDAY_CHOICES = list(hours.WEEKDAYS.items())


class SiteFilterForm(forms.Form):
    """The public list's filters. Every field is optional; bad values are reported, not ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    county = forms.ModelChoiceField(
        label=_("Wellbeing services county"),
        queryset=WellbeingServicesCounty.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("All"),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.filter(sites__is_public=True).distinct(),
        required=False,
        to_field_name="code",
        empty_label=_("All"),
    )
    kind = forms.ChoiceField(label=_("Kind of site"), choices=[("", _("All")), *Site.Kind.choices], required=False)
    language = forms.ModelChoiceField(
        label=_("Language"),
        queryset=Language.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("All"),
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    date = forms.DateField(label=_("Open on date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("at time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self):
        data = super().clean()
        if data.get("time") and not data.get("date"):
            self.add_error("date", _("Choose a date for the time."))
        return data

    def moment(self, now: dt.datetime) -> dt.datetime | None:
        """The moment the list must be open at, if any filter asks for one."""
        data = self.cleaned_data
        if data.get("date"):
            return hours.local(data["date"], data.get("time") or dt.time(12, 0))
        if data.get("open_now"):
            return now
        return None


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = [
            "name_fi",
            "name_sv",
            "name_en",
            "kind",
            "is_public",
            "municipality",
            "organisations",
            "street_address",
            "postal_code",
            "post_office",
            "latitude",
            "longitude",
            "languages",
            "phone",
            "email",
            "website",
            "description_fi",
            "description_sv",
            "description_en",
            "accessibility_fi",
            "accessibility_sv",
            "accessibility_en",
            "frequency",
            "metrics",
            "consultation_practice",
            "work_pair_practice",
            "evaluation_schedule",
            "responsible_person",
        ]
        widgets = {
            "organisations": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
            "description_fi": forms.Textarea(attrs={"rows": 3}),
            "description_sv": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "accessibility_fi": forms.Textarea(attrs={"rows": 2}),
            "accessibility_sv": forms.Textarea(attrs={"rows": 2}),
            "accessibility_en": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name_fi"].required = True
        if municipalities is not None:
            self.fields["municipality"].queryset = municipalities
        self.fields["municipality"].error_messages["invalid_choice"] = _(
            "Unknown municipality, or one outside your area. Choose one from the list."
        )
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")


class OpeningRuleForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=WEEKDAY_CHOICES, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = OpeningRule
        fields = [
            "weekdays",
            "starts",
            "ends",
            "recurrence",
            "week_of_month",
            "valid_from",
            "valid_until",
            "activity",
            "description_fi",
            "description_sv",
            "description_en",
            "partners",
        ]
        widgets = {
            "starts": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "partners": forms.CheckboxSelectMultiple,
        }


class BaseOpeningRuleFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        slots = [
            hours.Rule(
                weekdays=tuple(form.cleaned_data["weekdays"]),
                starts=form.cleaned_data["starts"],
                ends=form.cleaned_data["ends"],
                recurrence=form.cleaned_data["recurrence"],
                week_of_month=form.cleaned_data.get("week_of_month"),
                valid_from=form.cleaned_data.get("valid_from"),
                valid_until=form.cleaned_data.get("valid_until"),
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and (form.instance.pk or form.has_changed())
        ]
        for first, second in hours.overlapping_pairs(slots):
            raise ValidationError(
                _("Two slots overlap: %(first)s and %(second)s. Change the times, weekdays or validity."),
                params={"first": first.describe(), "second": second.describe()},
            )


class OpeningExceptionForm(forms.ModelForm):
    class Meta:
        model = OpeningException
        fields = ["date", "closed", "starts", "ends", "note_fi", "note_sv", "note_en"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "starts": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


OpeningRuleFormSet = inlineformset_factory(
    Site, OpeningRule, form=OpeningRuleForm, formset=BaseOpeningRuleFormSet, extra=2, can_delete=True
)
OpeningExceptionFormSet = inlineformset_factory(
    Site, OpeningException, form=OpeningExceptionForm, extra=2, can_delete=True
)
