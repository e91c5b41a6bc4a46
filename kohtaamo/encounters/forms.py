"""Forms of the counsellor's screen, the taxonomy pages and the API token page."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from kohtaamo.directory.models import Language, Site
from kohtaamo.encounters.models import Coping, Encounter, Term, TermKind
from kohtaamo.encounters.services import NOTE_MAX_LENGTH, TERM_FIELDS, WISH_MAX_LENGTH, EncounterError
from kohtaamo.encounters.taxonomies import TermIndex
from kohtaamo.lib import privacy

COPING_QUESTION = _(
    "Ask the visitor: after this visit, do you feel you can cope with your life and your matters "
    "(compared with before the visit)?"
)


def add_service_errors(form: forms.Form, error: EncounterError) -> None:
    """Show a service's refusal beside the fields it names."""
    for problem in error.problems:
        form.add_error(problem.field if problem.field in form.fields else None, str(problem.message))


class QuickEncounterForm(forms.Form):
    """The common case: one tap on a matter saves an encounter with that matter only."""

    topic = forms.SlugField()
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)


class TallyForm(forms.Form):
    delta = forms.TypedChoiceField(choices=[("1", "+1"), ("-1", "-1")], coerce=int)


class UndoForm(forms.Form):
    encounter = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _choices(terms: list[Term]) -> list[tuple[str, str]]:
    return [(term.code, term.label) for term in terms]


class EncounterForm(forms.Form):
    """Every field of an encounter, to log one in full or to edit one's own on the same day."""

    topics = forms.MultipleChoiceField(label=_("Matters helped with"), widget=forms.CheckboxSelectMultiple)
    help_forms = forms.MultipleChoiceField(label=_("Form of help"), widget=forms.CheckboxSelectMultiple, required=False)
    referrals = forms.MultipleChoiceField(
        label=_("Referred onward to"), widget=forms.CheckboxSelectMultiple, required=False
    )
    more_info = forms.MultipleChoiceField(
        label=_("More information would be needed on"), widget=forms.CheckboxSelectMultiple, required=False
    )
    language = forms.ChoiceField(label=_("Language used"), required=False)
    coping = forms.ChoiceField(
        label=_("Sense of coping after the visit"),
        help_text=COPING_QUESTION,
        widget=forms.RadioSelect,
        required=False,
        choices=[("", _("Not asked")), *Coping.choices],
    )
    note = privacy.PrivateTextField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. No names, identity codes, phone numbers or addresses. Deleted automatically later."),
    )
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, terms: TermIndex, county_id: int, encounter: Encounter | None = None, **kwargs):
        keep: set[int] = set()
        if encounter is not None:
            current = {name: list(getattr(encounter, name).all()) for name in TERM_FIELDS}
            keep = {term.pk for chosen in current.values() for term in chosen}
            kwargs.setdefault(
                "initial",
                {
                    **{name: [term.code for term in chosen] for name, chosen in current.items()},
                    "language": encounter.language.code if encounter.language else "",
                    "coping": encounter.coping or "",
                    "note": encounter.note,
                },
            )
        else:
            kwargs.setdefault("initial", {"client_uuid": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        for name, kind in TERM_FIELDS.items():
            self.fields[name].choices = _choices(terms.offered(kind, county_id, keep=keep))
        self.fields["language"].choices = [("", _("Not recorded"))] + [
            (language.code, language.name) for language in Language.objects.order_by("pk")
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in TERM_FIELDS},
            "language": data["language"] or None,
            "coping": data["coping"] or None,
            "note": data["note"],
        }


class WishForm(forms.Form):
    text = privacy.PrivateTextField(
        label=_("A wish for the area"),
        max_length=WISH_MAX_LENGTH,
        help_text=_("In a few words, without names or contact details."),
    )
    themes = forms.MultipleChoiceField(label=_("Themes"), widget=forms.CheckboxSelectMultiple, required=False)
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, terms: TermIndex, county_id: int, **kwargs):
        kwargs.setdefault("initial", {"client_uuid": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = _choices(terms.offered(TermKind.WISH_THEME, county_id))


class AdHocSessionForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    place = privacy.PrivateTextField(
        label=_("Place"),
        max_length=200,
        required=False,
        skip={privacy.STREET_ADDRESS},
        help_text=_("Where you are, e.g. Hervanta library or the Kela office."),
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class TermForm(forms.ModelForm):
    class Meta:
        model = Term
        fields = ["kind", "code", "label_fi", "label_sv", "label_en", "county", "order"]

    def __init__(self, *args, counties, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label_fi"].required = True
        self.fields["county"].queryset = counties
        # Only superusers keep national terms; a county's admin adds terms for that county.
        self.fields["county"].required = not national
        if self.instance.pk:
            # Codes are what statistics and API clients refer to: they never change.
            self.fields["kind"].disabled = True
            self.fields["code"].disabled = True


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("E.g. the phone or the program that will use the token.")
    )
