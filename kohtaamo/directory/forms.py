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
    date = forms.DateField(
        label=_("Open on date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Without a time: open at some time that day."),
    )
    time = forms.TimeField(
        label=_("at time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Finnish time"),
    )

    def clean(self):
        data = super().clean()
        if data.get("time") and not data.get("date"):
            self.add_error("date", _("Choose a date for the time."))
        return data

    def moment(self, now: dt.datetime) -> dt.datetime | None:
        """The moment the list must be open at, if any filter asks for one (a date and time are Helsinki time)."""
        data = self.cleaned_data
        if data.get("date") and data.get("time"):
            return hours.local(data["date"], data["time"])
        if data.get("open_now") and not data.get("date"):
            return now
        return None

    def day(self) -> dt.date | None:
        """A date without a time: the list shows sites that open at some time that day."""
        data = self.cleaned_data
        return data["date"] if data.get("date") and not data.get("time") else None


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


def _kept_forms(formset: BaseInlineFormSet) -> list[forms.Form]:
    """The forms that will be saved: not deleted, and either existing or filled in."""
    return [
        form
        for form in formset.forms
        if not (formset.can_delete and formset._should_delete_form(form)) and (form.instance.pk or form.has_changed())
    ]


class BaseOpeningRuleFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = _kept_forms(self)
        # A form with its own errors has no slot to compare yet; a deleted form doesn't count.
        if any(form.errors for form in kept):
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
            for form in kept
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


class BaseOpeningExceptionFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = _kept_forms(self)
        if any(form.errors for form in kept):
            return
        by_date: dict[dt.date, list[dict]] = {}
        for form in kept:
            by_date.setdefault(form.cleaned_data["date"], []).append(form.cleaned_data)
        for day, entries in sorted(by_date.items()):
            if len(entries) > 1 and any(entry["closed"] for entry in entries):
                raise ValidationError(
                    _("%(date)s is both closed and open at special hours. Keep one of them."),
                    params={"date": f"{day:%d.%m.%Y}"},
                )
            slots = [
                hours.Rule(weekdays=(day.isoweekday(),), starts=entry["starts"], ends=entry["ends"])
                for entry in entries
            ]
            if any(a.times_overlap(b) for i, a in enumerate(slots) for b in slots[i + 1 :]):
                raise ValidationError(
                    _("The special hours of %(date)s overlap. Change the times."), params={"date": f"{day:%d.%m.%Y}"}
                )


OpeningRuleFormSet = inlineformset_factory(
    Site, OpeningRule, form=OpeningRuleForm, formset=BaseOpeningRuleFormSet, extra=2, can_delete=True
)
OpeningExceptionFormSet = inlineformset_factory(
    Site, OpeningException, form=OpeningExceptionForm, formset=BaseOpeningExceptionFormSet, extra=2, can_delete=True
)
