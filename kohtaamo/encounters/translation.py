"""Term labels in three languages (modeltranslation adds label_fi, label_sv, label_en)."""

from modeltranslation.translator import TranslationOptions, register

from kohtaamo.encounters.models import Term


@register(Term)
class TermTranslation(TranslationOptions):
    fields = ["label"]
