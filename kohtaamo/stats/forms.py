"""The dashboard's filters, offering only what lies within the user's scope, read into a StatsFilter."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kohtaamo.accounts import permissions
from kohtaamo.directory.models import Municipality, Organisation, Site, WellbeingServicesCounty
from kohtaamo.lib.hours import HELSINKI
from kohtaamo.stats.queries import StatsFilter, add_months

MONTH_FORMAT = "%Y-%m"


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month picker where it has one)."""

    input_formats = [MONTH_FORMAT, "%Y-%m-%d"]
    widget = forms.DateInput(attrs={"type": "month", "placeholder": "2026-01"}, format=MONTH_FORMAT)


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The twelve months up to and including this one."""
    today = today or timezone.now().astimezone(HELSINKI).date()
    return add_months(today.replace(day=1), -11), today


class StatsFilterForm(forms.Form):
    date_from = MonthField(label=_("From month"), required=False)
    date_to = MonthField(label=_("To month"), required=False)
    county = forms.ChoiceField(label=_("Wellbeing services county"), required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    site = forms.TypedChoiceField(label=_("Site"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind of site"), required=False)
    partner = forms.TypedChoiceField(label=_("Partner organisation"), required=False, coerce=int, empty_value=None)
    trend = forms.ChoiceField(
        label=_("Trend by"), choices=[("month", _("month")), ("week", _("week"))], required=False, initial="month"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        sites = Site.objects.filter(permissions.scope_q(user, Site, permissions.STATS)).select_related("municipality")
        everything = [("", _("All"))]
        self.fields["county"].choices = everything + [
            (c.code, c.name) for c in WellbeingServicesCounty.objects.filter(municipalities__sites__in=sites).distinct()
        ]
        self.fields["municipality"].choices = everything + [
            (m.code, m.name) for m in Municipality.objects.filter(sites__in=sites).distinct().order_by("name")
        ]
        self.fields["site"].choices = everything + [(s.pk, s.name) for s in sites.order_by("name")]
        self.fields["kind"].choices = everything + list(Site.Kind.choices)
        partners = Organisation.objects.filter(Q(sites__in=sites) | Q(county_id__in=permissions.county_ids(user)))
        if user.is_superuser:
            partners = Organisation.objects.all()
        self.fields["partner"].choices = everything + [(o.pk, o.name) for o in partners.distinct().order_by("name")]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        return cleaned

    def stats_filter(self) -> StatsFilter:
        """The chosen filter; the defaults (the last twelve months, everywhere) for anything not chosen or invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        start, end = default_period()
        return StatsFilter(
            date_from=data.get("date_from") or start,
            date_to=data.get("date_to") or end,
            county=data.get("county") or None,
            municipality=data.get("municipality") or None,
            site=data.get("site"),
            kind=data.get("kind") or None,
            partner=data.get("partner"),
        )

    def trend_choice(self) -> str:
        return (self.cleaned_data.get("trend") if self.is_valid() else None) or "month"
