"""Forms of the counsellors' pages. Model rules run in full_clean, so their errors land beside the fields."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from kohtaamo.accounts import permissions
from kohtaamo.accounts.models import Role
from kohtaamo.counsellors.models import (
    CheckIn,
    Competence,
    CounsellorProfile,
    HoursEntry,
    OnboardingItem,
    OnboardingTemplate,
    OnboardingTemplateItem,
    Participation,
    SupervisionSession,
    Team,
    TeamMember,
    TrainingEntry,
)
from kohtaamo.directory.models import Organisation, Site, WellbeingServicesCounty
from kohtaamo.encounters.models import Term, TermKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _counties(actor):
    if actor.is_superuser:
        return WellbeingServicesCounty.objects.all()
    return WellbeingServicesCounty.objects.filter(pk__in=permissions.county_ids(actor))


class DatesMixin:
    """Every DateField as a native date picker (works without JavaScript, and keeps what was typed)."""

    def _date_widgets(self) -> None:
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DATE


class ProfileForm(DatesMixin, forms.ModelForm):
    template = forms.ModelChoiceField(
        label=_("Onboarding plan from the template"), queryset=OnboardingTemplate.objects.none(), required=False
    )

    class Meta:
        model = CounsellorProfile
        fields = [
            "full_name",
            "email",
            "phone",
            "county",
            "user",
            "lawful_basis",
            "consent_given_on",
            "started_on",
            "ended_on",
            "sites",
            "languages",
            "lived_experience",
        ]
        widgets = {
            "sites": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
            "lived_experience": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self._date_widgets()
        counties = _counties(actor)
        self.fields["county"].queryset = counties
        if counties.count() == 1 and not self.instance.pk:
            self.fields["county"].initial = counties.first()
        taken = CounsellorProfile.objects.exclude(pk=self.instance.pk).exclude(user=None).values("user_id")
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(role=Role.COUNSELLOR, is_active=True)
            .filter(pk__in=_people_in(actor))
            .exclude(pk__in=taken)
        )
        self.fields["user"].help_text = _("The person's login, if they have one; it lets them see their own page.")
        self.fields["sites"].queryset = permissions.scoped(actor, Site, permissions.PATH).order_by("name")
        self.fields["lived_experience"].queryset = Term.objects.active().of_kind(TermKind.TOPIC)
        self.fields["template"].queryset = permissions.scoped(actor, OnboardingTemplate, permissions.PATH)
        if self.instance.pk:
            del self.fields["template"]


def _people_in(actor):
    from kohtaamo.counsellors.rota import people_for_rota

    return people_for_rota(actor=actor).values("pk")


class ParticipationForm(DatesMixin, forms.ModelForm):
    class Meta:
        model = Participation
        fields = ["basis", "organiser", "starts_on", "ends_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._date_widgets()
        self.fields["organiser"].queryset = Organisation.objects.order_by("name")


class CompetenceForm(DatesMixin, forms.ModelForm):
    class Meta:
        model = Competence
        fields = ["what", "recognised_on", "evidence"]
        widgets = {"evidence": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"evidence": _("How it was shown. No names or identity codes of other people.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._date_widgets()


class TrainingForm(DatesMixin, forms.ModelForm):
    class Meta:
        model = TrainingEntry
        fields = ["title", "date", "hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._date_widgets()


class CheckInForm(DatesMixin, forms.ModelForm):
    class Meta:
        model = CheckIn
        fields = ["date", "coping", "note"]
        widgets = {"coping": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._date_widgets()


class HoursForm(DatesMixin, forms.ModelForm):
    class Meta:
        model = HoursEntry
        fields = ["date", "hours", "what"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._date_widgets()


class OnboardingItemForm(DatesMixin, forms.ModelForm):
    class Meta:
        model = OnboardingItem
        fields = ["title", "due_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._date_widgets()


class NextStepForm(DatesMixin, forms.ModelForm):
    class Meta:
        model = CounsellorProfile
        fields = ["next_step_goal", "next_step_goal_set_on", "next_step_outcome", "next_step_outcome_on", "ended_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._date_widgets()


class TemplateForm(forms.ModelForm):
    class Meta:
        model = OnboardingTemplate
        fields = ["county", "name"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = _counties(actor)


TemplateItemFormSet = inlineformset_factory(
    OnboardingTemplate,
    OnboardingTemplateItem,
    fields=["title", "due_after_days", "order"],
    extra=3,
    can_delete=True,
)


class SupervisionForm(DatesMixin, forms.ModelForm):
    class Meta:
        model = SupervisionSession
        fields = ["county", "kind", "date", "supervisor", "attendees"]
        widgets = {"kind": forms.RadioSelect, "attendees": forms.CheckboxSelectMultiple}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self._date_widgets()
        self.fields["county"].queryset = _counties(actor)
        self.fields["attendees"].queryset = permissions.scoped(
            actor, CounsellorProfile.objects.active(), permissions.PATH
        )
        self.fields["attendees"].label_from_instance = lambda profile: profile.display_name


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["county", "name", "site", "responsibility"]
        widgets = {"responsibility": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = _counties(actor)
        self.fields["site"].queryset = permissions.scoped(actor, Site, permissions.PATH).order_by("name")


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = ["user", "basis", "employer", "is_responsible"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(pk__in=_people_in(actor)).order_by("username")
        self.fields["employer"].queryset = Organisation.objects.order_by("name")


class ShiftForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=get_user_model().objects.none())

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        from kohtaamo.counsellors.rota import people_for_rota

        self.fields["user"].queryset = people_for_rota(actor=actor)
        self.fields["user"].label_from_instance = lambda user: f"{user.get_username()} ({user.get_role_display()})"
