"""Forms of the reports pages: the period, the narrative (privacy-guarded) and a series' cost."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kohtaamo.directory.models import Organisation
from kohtaamo.lib import privacy
from kohtaamo.reports.areas import MAX_DAYS
from kohtaamo.reports.models import SessionSeriesCost

NARRATIVE_MAX_LENGTH = 5000
NARRATIVE_HELP = _("No names, identity codes, phone numbers, e-mail or street addresses: the report is public.")


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The statistics count whole months: the period is widened to the months it touches."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and (end < start or (end - start).days >= MAX_DAYS):
            raise forms.ValidationError(_("Choose a period that runs forwards and covers at most a year."))
        return data


def _section(label) -> privacy.PrivateTextField:
    return privacy.PrivateTextField(
        label=label,
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=NARRATIVE_HELP,
    )


class NarrativeForm(forms.Form):
    summary = _section(_("Summary"))
    observations = _section(_("Structural observations"))
    wishes = _section(_("On the visitors' wishes"))
    proposals = _section(_("Proposals to decision makers"))


class CostForm(forms.ModelForm):
    description = privacy.PrivateTextField(
        label=_("Description"),
        max_length=200,
        help_text=_("E.g. community counselling bought as a service, Wednesdays 9–11."),
    )

    class Meta:
        model = SessionSeriesCost
        fields = ["site", "supplier", "description", "date_from", "date_to", "sessions", "amount"]
        widgets = {
            "date_from": forms.DateInput(attrs={"type": "date"}),
            "date_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["supplier"].queryset = Organisation.objects.order_by("name")
