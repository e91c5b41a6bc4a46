"""The taxonomies encounters are recorded with: the seed list, and an index to resolve codes fast.

The seed follows the Pirkanmaa practice (seeds 002 and 004 in the project's sources): what
the visitor was helped with, how, where they were referred, what more information was
needed, and the themes of visitors' wishes for the area. Codes are stable; labels may change.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from kohtaamo.audit.services import diff, log_action, snapshot
from kohtaamo.directory.models import Language
from kohtaamo.encounters.models import Term, TermKind, Vocabulary

# kind -> [(code, fi, sv, en)], in the order they are offered.
SEED: dict[str, list[tuple[str, str, str, str]]] = {
    TermKind.TOPIC: [
        ("e_services", "Viranomaisten sähköiset palvelut", "Myndigheternas e-tjänster", "Authorities' e-services"),
        ("rent_bills", "Vuokran ja laskujen maksaminen", "Betalning av hyra och räkningar", "Paying rent and bills"),
        ("forms", "Lomakkeiden täyttäminen", "Ifyllning av blanketter", "Filling in forms"),
        ("benefits", "Etuudet", "Förmåner", "Benefits"),
        ("housing", "Asuminen", "Boende", "Housing"),
        ("employment", "Työ ja työllistyminen", "Arbete och sysselsättning", "Work and employment"),
        ("health", "Terveys", "Hälsa", "Health"),
        ("integration_language", "Kotoutuminen ja kieli", "Integration och språk", "Integration and language"),
        ("loneliness", "Yksinäisyys", "Ensamhet", "Loneliness"),
        ("substance_use", "Päihteet", "Rusmedel", "Substance use"),
        ("debt_money", "Velat ja raha-asiat", "Skulder och pengar", "Debt and money"),
        ("mental_wellbeing", "Mielen hyvinvointi", "Psykiskt välbefinnande", "Mental wellbeing"),
        ("family", "Perhe ja läheiset", "Familj och närstående", "Family and close ones"),
        ("studies", "Opiskelu", "Studier", "Studies"),
        ("activities", "Toiminta ja harrastukset", "Aktiviteter och fritid", "Activities and hobbies"),
        ("other", "Muu asia", "Annat ärende", "Other matter"),
    ],
    TermKind.HELP_FORM: [
        ("advice", "Neuvonta ja ohjaus", "Rådgivning och handledning", "Advice and guidance"),
        (
            "hands_on",
            "Asioiden hoitaminen yhdessä (sähköiset palvelut, lomakkeet, laskut)",
            "Att sköta ärenden tillsammans (e-tjänster, blanketter, räkningar)",
            "Hands-on help (e-services, forms, paying bills)",
        ),
        ("accompanying", "Asiointiapu, mukana kulkeminen", "Följe till ärenden", "Accompanying"),
        ("interpreting", "Tulkkaus tai välittäminen", "Tolkning eller medling", "Interpreting or mediating"),
        ("group_info", "Ryhmä tai info", "Grupp eller infotillfälle", "Group or info session"),
        ("listening", "Kuunteleminen ja kohtaaminen", "Lyssnande och möte", "Listening and being there"),
    ],
    TermKind.REFERRAL: [
        ("sote_centre", "Sosiaali- ja terveyskeskus", "Social- och hälsocentral", "Health and social services centre"),
        ("adult_social_work", "Aikuissosiaalityö", "Socialt arbete för vuxna", "Adult social work"),
        ("kela", "Kela", "FPA", "Kela"),
        ("employment_services", "Työllisyyspalvelut", "Sysselsättningstjänster", "Employment services"),
        ("housing_advice", "Asumisneuvonta", "Boenderådgivning", "Housing advice"),
        ("debt_advice", "Talous- ja velkaneuvonta", "Ekonomi- och skuldrådgivning", "Debt advice"),
        (
            "mental_health_substance",
            "Mielenterveys- ja päihdepalvelut",
            "Mentalvårds- och missbrukstjänster",
            "Mental health and substance use services",
        ),
        ("ngo", "Järjestö", "Organisation", "An NGO"),
        ("parish", "Seurakunta", "Församling", "A parish"),
        ("ohjaamo", "Ohjaamo", "Ohjaamo", "Ohjaamo (guidance for young people)"),
        ("other", "Muu taho", "Annan instans", "Somewhere else"),
    ],
    TermKind.MORE_INFO: [
        ("services_in_area", "Alueen palvelut", "Tjänster i området", "Services in the area"),
        ("benefits", "Etuudet", "Förmåner", "Benefits"),
        ("housing", "Asuminen", "Boende", "Housing"),
        ("work_studies", "Työ ja opiskelu", "Arbete och studier", "Work and studies"),
        (
            "social_health_services",
            "Sosiaali- ja terveyspalvelut",
            "Social- och hälsotjänster",
            "Social and health services",
        ),
        ("digital_services", "Sähköinen asiointi", "Digitala tjänster", "Digital services"),
        ("rights", "Oikeudet ja oikeusapu", "Rättigheter och rättshjälp", "Rights and legal aid"),
        ("activities", "Toiminta ja harrastukset", "Aktiviteter och fritid", "Activities and hobbies"),
        ("other", "Muu asia", "Annat", "Something else"),
    ],
    TermKind.WISH_THEME: [
        ("activities", "Toimintaa ja tekemistä", "Aktiviteter", "Activities"),
        ("meeting_places", "Kohtaamispaikat ja tilat", "Mötesplatser och lokaler", "Meeting places and premises"),
        ("services_nearby", "Palvelut lähelle", "Tjänster nära", "Services nearby"),
        ("opening_hours", "Aukioloajat", "Öppettider", "Opening hours"),
        ("safety", "Turvallisuus", "Trygghet", "Safety"),
        ("environment_transport", "Ympäristö ja liikenne", "Miljö och trafik", "Environment and transport"),
        ("food_aid", "Ruoka-apu", "Matbistånd", "Food aid"),
        ("other", "Muu toive", "Annat önskemål", "Something else"),
    ],
}


def seed_terms(term_model) -> int:
    """Create the seed terms that are missing; labels edited since are left alone. Returns how many were made."""
    created = 0
    for kind, rows in SEED.items():
        for position, (code, fi, sv, en) in enumerate(rows, start=1):
            _, made = term_model.objects.get_or_create(
                kind=str(kind),
                code=code,
                defaults={"label": fi, "label_fi": fi, "label_sv": sv, "label_en": en, "order": position * 10},
            )
            created += made
    return created


@dataclass
class Resolved:
    terms: list[Term] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # no such code, or another county's
    retired: list[str] = field(default_factory=list)


class TermRef(NamedTuple):
    """What resolving a code and storing a link read of a term: no model instance needed."""

    pk: int
    kind: str
    code: str
    county_id: int | None
    active: bool


class TermIndex:
    """Every term, loaded with one query, to resolve a batch's codes without a query per item."""

    def __init__(self, terms: Iterable[Term]):
        self._terms = {(term.kind, term.code): term for term in terms}

    @classmethod
    def load(cls, *, light: bool = False) -> TermIndex:
        """`light`: only what `resolve()` reads (no labels), for writes."""
        if light:
            return cls(TermRef(*row) for row in Term.objects.values_list("id", "kind", "code", "county_id", "active"))
        return cls(Term.objects.all())

    def offered(self, kind: str, county_id: int | None, *, keep: Collection[int] = ()) -> list[Term]:
        """Terms to choose from at a site in the county: active ones, and `keep` (already chosen) ones."""
        return sorted(
            (
                term
                for term in self._terms.values()
                if term.kind == kind and term.county_id in (None, county_id) and (term.active or term.pk in keep)
            ),
            key=lambda term: (term.order, term.code),
        )

    def resolve(
        self, kind: str, codes: Iterable[str], *, county_id: int | None, keep: Collection[int] = ()
    ) -> Resolved:
        """Codes to terms. Retired terms are refused unless already on the record (`keep`)."""
        resolved = Resolved()
        for code in dict.fromkeys(codes):
            term = self._terms.get((kind, code))
            if term is None or term.county_id not in (None, county_id):
                resolved.unknown.append(code)
            elif not term.active and term.pk not in keep:
                resolved.retired.append(code)
            else:
                resolved.terms.append(term)
        return resolved


class LanguageRef(NamedTuple):
    """What storing an encounter reads of a language."""

    pk: int
    code: str


# The vocabulary this process read last, under its version: (version, terms, languages by code).
_vocabulary: tuple[str, TermIndex, dict[str, LanguageRef]] | None = None


# cached_vocabulary(ASK): read the version here.
ASK = object()


def version_sql() -> str:
    """The version in models.Vocabulary as a scalar subquery: a query that runs anyway reads it as a column."""
    table = connection.ops.quote_name(Vocabulary._meta.db_table)
    return f"(SELECT version FROM {table} WHERE id = 1)"  # noqa: S608 (the model's own table)


def _vocabulary_version() -> str | None:
    """The version in models.Vocabulary: one read of one row by its key, without building a queryset."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {version_sql()}")
        row = cursor.fetchone()
    return row[0] if row else None


def cached_vocabulary(version=ASK) -> tuple[TermIndex, dict[str, LanguageRef]]:
    """Every term (as TermRefs) and every language by code, for writes: read again only when a term or a
    language has changed since this process last read them (the version in models.Vocabulary moves).

    `version`: the version as the caller's query just read it (a `version_sql()` column), else read here.
    Either way it is read before the terms: a change committed after it is seen by the next call.
    """
    global _vocabulary
    if version is ASK:
        version = _vocabulary_version()
    if version is not None and _vocabulary is not None and _vocabulary[0] == version:
        return _vocabulary[1], _vocabulary[2]
    terms = TermIndex.load(light=True)
    languages = {code: LanguageRef(pk, code) for pk, code in Language.objects.values_list("id", "code")}
    if version is not None:
        _vocabulary = (version, terms, languages)
    return terms, languages


# Every term with its labels, for reading (statistics tables): (version, terms in display order).
_labelled: tuple[str, list[Term]] | None = None


def cached_terms() -> list[Term]:
    """Every term as a model instance, ordered by (order, code), read again only when the vocabulary's
    version moves. `label` follows the active language when read, so one list serves fi, sv and en."""
    global _labelled
    version = _vocabulary_version()
    if version is not None and _labelled is not None and _labelled[0] == version:
        return _labelled[1]
    terms = list(Term.objects.order_by("order", "code"))
    if version is not None:
        _labelled = (version, terms)
    return terms


# --- Writes by a county's admins (or superusers for national terms) ---


@transaction.atomic
def term_save(*, actor, form) -> Term:
    """Create or update a term from a valid TermForm, recording what changed."""
    creating = form.instance.pk is None
    before = {} if creating else snapshot(Term.objects.get(pk=form.instance.pk))
    term = form.save()
    changes = diff(before, snapshot(term))
    if changes:
        log_action(actor, "term.create" if creating else "term.update", term, changes=changes)
    return term


@transaction.atomic
def term_retire(*, actor, term: Term) -> Term:
    """Stop offering a term. Encounters that have it keep it; its code is never reused."""
    if term.active:
        term.active, term.retired_at = False, timezone.now()
        term.save(update_fields=["active", "retired_at"])
        log_action(actor, "term.retire", term)
    return term


@transaction.atomic
def term_restore(*, actor, term: Term) -> Term:
    if not term.active:
        term.active, term.retired_at = True, None
        term.save(update_fields=["active", "retired_at"])
        log_action(actor, "term.restore", term)
    return term
