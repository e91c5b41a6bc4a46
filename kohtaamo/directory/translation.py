"""Fields shown to the public in three languages (modeltranslation adds name_fi, name_sv, name_en)."""

from modeltranslation.translator import TranslationOptions, register

from kohtaamo.directory.models import (
    Language,
    Municipality,
    OpeningException,
    OpeningRule,
    Organisation,
    Site,
    WellbeingServicesCounty,
)


@register(WellbeingServicesCounty)
class CountyTranslation(TranslationOptions):
    fields = ["name"]


@register(Municipality)
class MunicipalityTranslation(TranslationOptions):
    fields = ["name"]


@register(Language)
class LanguageTranslation(TranslationOptions):
    fields = ["name"]


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ["name", "description"]


@register(Site)
class SiteTranslation(TranslationOptions):
    fields = ["name", "description", "accessibility"]


@register(OpeningRule)
class OpeningRuleTranslation(TranslationOptions):
    fields = ["description"]


@register(OpeningException)
class OpeningExceptionTranslation(TranslationOptions):
    fields = ["note"]
