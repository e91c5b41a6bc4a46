"""Demo data: the real sites of seeds 000, 002 and 003 with their hours and partners, and five demo logins.

`load_demo()` is idempotent. Sites are matched by (municipality, Finnish name), organisations by
Finnish name and users by username; a row is saved only when a value differs, and a demo site's
opening rules and exceptions are rebuilt only when they differ from the data here. A second run
therefore changes nothing (except the exceptions' dates, which follow today's date so the demo
always shows a closed day and a holiday opening ahead). Running it resets the demo sites,
organisations and users to this data; other rows are left alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone, translation

from kohtaamo.accounts.models import Role
from kohtaamo.directory.models import (
    Activity,
    Language,
    Municipality,
    OpeningException,
    OpeningRule,
    Organisation,
    Site,
    WellbeingServicesCounty,
)
from kohtaamo.lib import hours

PASSWORD = "kohtaamo-demo"  # noqa: S105 - published on purpose: these are demo logins

# Wellbeing services county codes (Statistics Finland). Pirkanmaa's *region* code is 06,
# but its wellbeing services county is 08; Etelä-Savo's is 12, Varsinais-Suomi's 05.
PIRKANMAA, ETELA_SAVO, VARSINAIS_SUOMI = "08", "12", "05"

# Seed 002 lists these as the documentation every form of work should have.
METRICS = "Kävijätilastot, kohtaamiset, PEI-mittari, palveluiden esteet -lomake"
# Seed 002 is his presentation of Pirkanmaa's community social work.
PIRKANMAA_RESPONSIBLE = "Joonas Kiviranta, johtava ohjaaja"

K = Organisation.Kind

# key: (name fi, sv, en), short name, kind, county code. Business IDs are left empty on purpose:
# none is given in the seeds and a wrong one would be worse than none.
ORGANISATIONS: dict[str, tuple[tuple[str, str, str], str, str, str]] = {
    "pirha": (
        ("Pirkanmaan hyvinvointialue", "Birkalands välfärdsområde", "Pirkanmaa wellbeing services county"),
        "Pirha",
        K.COUNTY,
        PIRKANMAA,
    ),
    "eloisa": (
        ("Etelä-Savon hyvinvointialue", "Södra Savolax välfärdsområde", "South Savo wellbeing services county"),
        "Eloisa",
        K.COUNTY,
        ETELA_SAVO,
    ),
    "tampere": (("Tampereen kaupunki", "Tammerfors stad", "City of Tampere"), "", K.MUNICIPALITY, PIRKANMAA),
    "ruovesi": (("Ruoveden kunta", "Ruovesi kommun", "Municipality of Ruovesi"), "", K.MUNICIPALITY, PIRKANMAA),
    "vesilahti": (("Vesilahden kunta", "Vesilax kommun", "Municipality of Vesilahti"), "", K.MUNICIPALITY, PIRKANMAA),
    "palkane": (("Pälkäneen kunta", "Pälkäne kommun", "Municipality of Pälkäne"), "", K.MUNICIPALITY, PIRKANMAA),
    "sastamala": (("Sastamalan kaupunki", "Sastamala stad", "City of Sastamala"), "", K.MUNICIPALITY, PIRKANMAA),
    "urjala": (("Urjalan kunta", "Urjala kommun", "Municipality of Urjala"), "", K.MUNICIPALITY, PIRKANMAA),
    "puumala": (("Puumalan kunta", "Puumala kommun", "Municipality of Puumala"), "", K.MUNICIPALITY, ETELA_SAVO),
    "raisio": (("Raision kaupunki", "Reso stad", "City of Raisio"), "", K.MUNICIPALITY, VARSINAIS_SUOMI),
    "srk-tampere": (
        ("Tampereen seurakuntayhtymä", "Tammerfors kyrkliga samfällighet", "Tampere Parish Union"),
        "",
        K.PARISH,
        PIRKANMAA,
    ),
    "srk-orivesi": (("Oriveden seurakunta", "Orivesi församling", "Orivesi Parish"), "", K.PARISH, PIRKANMAA),
    "srk-lempaala": (("Lempäälän seurakunta", "Lempäälä församling", "Lempäälä Parish"), "", K.PARISH, PIRKANMAA),
    "srk-vesilahti": (("Vesilahden seurakunta", "Vesilax församling", "Vesilahti Parish"), "", K.PARISH, PIRKANMAA),
    "srk-palkane": (("Pälkäneen seurakunta", "Pälkäne församling", "Pälkäne Parish"), "", K.PARISH, PIRKANMAA),
    "srk-sastamala": (("Sastamalan seurakunta", "Sastamala församling", "Sastamala Parish"), "", K.PARISH, PIRKANMAA),
    "srk-urjala": (("Urjalan seurakunta", "Urjala församling", "Urjala Parish"), "", K.PARISH, PIRKANMAA),
    # NGOs and companies keep their proper names in every language.
    "a-kilta": (("Tampereen A-kilta ry",) * 3, "A-kilta", K.NGO, PIRKANMAA),
    "valo": (("Valo-Valmennusyhdistys ry",) * 3, "Valo-valmennus", K.NGO, PIRKANMAA),
    "nauha": (("Nauha",) * 3, "", K.NGO, PIRKANMAA),
    "tyottomat-orivesi": (("Oriveden työttömien yhdistys",) * 3, "Työttömien yhdistys", K.NGO, PIRKANMAA),
    "mieli-tukitalo": (("Mieli ry tukitalo",) * 3, "", K.NGO, PIRKANMAA),
    "teemu": (("Teemu ry",) * 3, "", K.NGO, PIRKANMAA),
    "viadia": (("Viadia Pirkanmaa ry",) * 3, "Viadia", K.NGO, PIRKANMAA),
    "4h": (("4H-yhdistys",) * 3, "4H", K.NGO, PIRKANMAA),
    "raittiustuki": (("Kristillinen raittiustuki",) * 3, "", K.NGO, PIRKANMAA),
    "pikassos": (("Pikassos Oy",) * 3, "Pikassos", K.COMPANY, PIRKANMAA),
    "pakolaisnuoret": (("Pakolaisnuorten tuki ry",) * 3, "", K.NGO, PIRKANMAA),
    "huhti": (("Huhdin kyläyhdistys",) * 3, "", K.NGO, PIRKANMAA),
    "klupi": (("Puumalan Klupi",) * 3, "Klupi", K.NGO, ETELA_SAVO),
}

S = Site.Kind

# One sentence per kind of site, from seed 002's definitions.
KIND_DESCRIPTIONS: dict[str, tuple[str, str, str]] = {
    S.COMMUNITY_CENTRE: (
        "Matalan kynnyksen kaikille avoin yhteisökeskus, jossa useat toimijat järjestävät toimintaa ja kävijän "
        "asioita voidaan hoitaa avoimessa neuvonnassa tai ajanvarauksella.",
        "Ett lågtröskligt samhällscenter öppet för alla, där flera aktörer ordnar verksamhet och besökarens "
        "ärenden kan skötas i öppen rådgivning eller med tidsbokning.",
        "A low-threshold community centre open to all, where several actors run activities and visitors' "
        "matters can be handled at open counselling or by appointment.",
    ),
    S.COUNSELLING_POINT: (
        "Yhteisöneuvojat neuvovat ja ohjaavat maksutta ja ilman ajanvarausta yhdessä ammattihenkilöiden kanssa, "
        "esimerkiksi sähköisten palvelujen käytössä ja lomakkeiden täyttämisessä.",
        "Samhällsrådgivare ger avgiftsfri rådgivning och handledning utan tidsbokning tillsammans med "
        "yrkespersoner, till exempel med e-tjänster och blanketter.",
        "Community counsellors give free advice and guidance without an appointment, together with "
        "professionals, for example with e-services and forms.",
    ),
    S.MEETING_PLACE: (
        "Maksuton ja anonyymi kohtaamispaikka, jonne voi tulla ilman ajanvarausta juttelemaan ja olemaan yhdessä.",
        "En avgiftsfri och anonym mötesplats dit man kan komma utan tidsbokning för att prata och umgås.",
        "A free, anonymous meeting place where anyone can drop in without an appointment to talk and spend "
        "time together.",
    ),
    S.DAY_CENTRE: (
        "Matalan kynnyksen päiväkeskus, jossa voi viettää aikaa, tavata muita ja saada ohjausta ja neuvontaa.",
        "Ett lågtröskligt dagcenter där man kan umgås, träffa andra och få handledning och rådgivning.",
        "A low-threshold day centre where people can spend time, meet others and get guidance and advice.",
    ),
}


@dataclass(frozen=True)
class Slot:
    days: str  # ISO weekdays: "1-5" or "2,4"
    starts: str
    ends: str
    partners: tuple[str, ...] = ()
    activity: str = ""  # empty: from the kind of site

    @property
    def weekdays(self) -> list[int]:
        if "-" in self.days:
            first, last = self.days.split("-")
            return list(range(int(first), int(last) + 1))
        return [int(day) for day in self.days.split(",")]


@dataclass(frozen=True)
class SiteData:
    municipality: str
    kind: str
    names: tuple[str, str, str]  # fi, sv, en
    organisations: tuple[str, ...] = ()
    slots: tuple[Slot, ...] = ()
    descriptions: tuple[str, str, str] | None = None  # replaces the kind's sentence
    notes: tuple[str, str, str] | None = None  # appended to it
    frequency: str = ""  # empty: daily with four or more weekdays, weekly with fewer, unknown without hours

    @property
    def activity(self) -> str:
        return Activity.COUNSELLING if self.kind == S.COUNSELLING_POINT else Activity.OPEN_DOORS


def _counselling(municipality: str, place: str, days: str, starts: str, ends: str, *partners: str) -> SiteData:
    return SiteData(
        municipality,
        S.COUNSELLING_POINT,
        (f"Yhteisöneuvonta {place}", f"Samhällsrådgivning {place}", f"Community counselling {place}"),
        partners,
        (Slot(days, starts, ends, partners),),
    )


# Seed 002's list, in its order, with its exact hours and partners (the partners of a slot co-run it).
SITES: list[SiteData] = [
    # Yhteisökeskus
    SiteData(
        "Tampere",
        S.COMMUNITY_CENTRE,
        ("Yhteisökeskus Hervanta L8", "Samhällscenter Hervanta L8", "Hervanta L8 community centre"),
        ("pirha",),
        (Slot("1-5", "08:00", "15:00", ("pirha",)),),
    ),
    SiteData(
        "Ruovesi",
        S.COMMUNITY_CENTRE,
        ("Yhteisökeskus Ruovesi", "Samhällscenter Ruovesi", "Ruovesi community centre"),
        ("pirha", "ruovesi"),
        (Slot("1", "11:00", "15:00", ("pirha", "ruovesi")),),
    ),
    SiteData(
        "Orivesi",
        S.COMMUNITY_CENTRE,
        ("Yhteisökeskus Orivesi", "Samhällscenter Orivesi", "Orivesi community centre"),
        ("pirha", "a-kilta", "srk-orivesi", "tyottomat-orivesi"),
        (Slot("1-5", "11:00", "15:00", ("pirha", "a-kilta", "srk-orivesi", "tyottomat-orivesi")),),
    ),
    # Yhteisöneuvonta
    _counselling("Tampere", "Hervanta L8", "1-5", "08:00", "15:00", "pirha", "a-kilta"),
    _counselling("Tampere", "Multisilta (Suklis)", "3", "09:00", "11:00", "pirha", "a-kilta"),
    _counselling("Tampere", "Hatanpää (Sarvis)", "2,4", "09:00", "14:00", "pirha"),
    _counselling("Tampere", "Nekala", "2", "11:00", "13:00", "pirha", "srk-tampere", "valo"),
    _counselling("Tampere", "Annala", "2", "09:00", "11:00", "pirha", "nauha", "a-kilta", "srk-tampere"),
    _counselling("Lempäälä", "Lempäälä", "1", "10:00", "12:00", "pirha", "srk-lempaala"),
    _counselling("Nokia", "Nokia", "4", "10:00", "13:00", "pirha", "a-kilta"),
    _counselling("Vesilahti", "Vesilahti", "1", "11:00", "13:00", "pirha", "srk-vesilahti", "vesilahti"),
    _counselling("Pälkäne", "Pälkäne", "2-4", "13:00", "15:00", "pirha", "palkane", "srk-palkane"),
    _counselling(
        "Sastamala", "Sastamala", "1", "13:00", "15:00", "pirha", "sastamala", "srk-sastamala", "mieli-tukitalo"
    ),
    # Kohtaamispaikka / päivätoimintakeskus
    SiteData(
        "Akaa",
        S.MEETING_PLACE,
        ("Kohtaamispaikka Narikka", "Mötesplatsen Narikka", "Narikka meeting place"),
        ("pirha",),
        (Slot("1", "09:00", "12:00", ("pirha",)),),
    ),
    SiteData(
        "Akaa",
        S.DAY_CENTRE,
        ("Toijalan päivätoimintakeskus", "Dagverksamhetscentret i Toijala", "Toijala day activity centre"),
        ("pirha",),
        (Slot("1-4", "07:00", "12:00", ("pirha",)),),
    ),
    SiteData(
        "Akaa",
        S.DAY_CENTRE,
        ("Viialan päivätoimintakeskus", "Dagverksamhetscentret i Viiala", "Viiala day activity centre"),
        ("pirha",),
        (Slot("2-5", "08:00", "12:00", ("pirha",)),),
    ),
    SiteData(
        "Valkeakoski",
        S.MEETING_PLACE,
        ("Kohtaamispaikka Narikka", "Mötesplatsen Narikka", "Narikka meeting place"),
        ("pirha",),
        (Slot("2", "13:00", "15:30", ("pirha",)),),
    ),
    SiteData(
        "Urjala",
        S.MEETING_PLACE,
        ("Lauantaipöhinät",) * 3,
        ("pirha", "urjala", "srk-urjala", "huhti"),
        (Slot("6", "10:30", "12:00", ("pirha", "urjala", "srk-urjala"), Activity.GROUP),),
        notes=(
            "Järjestäjäksi on siirtymässä Huhdin kyläyhdistys; tähän asti toimintaa ovat järjestäneet Pirha, "
            "Urjalan kunta ja Urjalan seurakunta.",
            "Huhdin kyläyhdistys håller på att ta över som arrangör; hittills har Pirha, Urjala kommun och "
            "Urjala församling ordnat verksamheten.",
            "The organiser is changing to Huhdin kyläyhdistys (the Huhti village association); until now Pirha, "
            "the municipality of Urjala and the Urjala parish have run it.",
        ),
    ),
    SiteData(
        "Kangasala",
        S.MEETING_PLACE,
        ("TeeMun Neuvo",) * 3,
        ("teemu",),
        (Slot("2", "09:00", "12:00", ("teemu",)), Slot("4", "12:00", "15:00", ("teemu",))),
    ),
    SiteData(
        "Kangasala",
        S.COMMUNITY_CENTRE,
        ("Yhteisökeskus Viadia", "Samhällscenter Viadia", "Viadia community centre"),
        ("viadia",),
        (Slot("1-4", "09:00", "15:00", ("viadia",)), Slot("5", "09:00", "14:00", ("viadia",))),
    ),
    SiteData(
        "Nokia",
        S.DAY_CENTRE,
        ("Nokian päiväkeskus", "Dagcentret i Nokia", "Nokia day centre"),
        ("pirha",),
        (Slot("1-5", "08:00", "13:00", ("pirha",)),),
    ),
    SiteData("Mänttä-Vilppula", S.MEETING_PLACE, ("Viadia Mänttä-Vilppula",) * 3, ("viadia",)),
    SiteData(
        "Ruovesi",
        S.MEETING_PLACE,
        ("Kohtaamispaikka Aleksiina", "Mötesplatsen Aleksiina", "Aleksiina meeting place"),
        ("4h",),
    ),
    SiteData(
        "Juupajoki",
        S.MEETING_PLACE,
        ("Lähitoritoiminnan Perjantai-klubi", "Lähitoris fredagsklubb", "Lähitori Friday club"),
        slots=(Slot("5", "09:00", "13:00", activity=Activity.GROUP),),
    ),
    SiteData(
        "Virrat",
        S.DAY_CENTRE,
        ("Päiväkeskus Kieppi", "Dagcentret Kieppi", "Kieppi day centre"),
        ("raittiustuki",),
    ),
    SiteData(
        "Tampere",
        S.DAY_CENTRE,
        ("Päivätoimintakeskus Pähee", "Dagverksamhetscentret Pähee", "Pähee day activity centre"),
        ("pirha",),
    ),
    SiteData(
        "Tampere",
        S.DAY_CENTRE,
        ("Päivätoimintakeskus Huoltsu", "Dagverksamhetscentret Huoltsu", "Huoltsu day activity centre"),
        ("pirha",),
    ),
    SiteData(
        "Tampere",
        S.MEETING_PLACE,
        ("Avaamo-vanhemmuskahvila", "Avaamo föräldracafé", "Avaamo parents' café"),
        ("pirha", "tampere", "pikassos", "pakolaisnuoret"),
        (Slot("4", "12:00", "14:00", ("pirha", "tampere", "pikassos", "pakolaisnuoret"), Activity.CAFE),),
        descriptions=(
            "Maksuton ja anonyymi vanhemmuuskahvila, jonne voi tulla ilman ajanvarausta.",
            "Ett avgiftsfritt och anonymt föräldracafé dit man kan komma utan tidsbokning.",
            "A free, anonymous parents' café where anyone can drop in without an appointment.",
        ),
    ),
    # Seed 000: Puumala's village house. The seed gives no opening hours.
    SiteData(
        "Puumala",
        S.VILLAGE_HOUSE,
        ("Puumalan kylätalo", "Byhuset i Puumala", "Puumala village house"),
        ("puumala", "klupi", "eloisa"),
        descriptions=(
            "Kuntalaisten olohuone ja yhteisöllisen työn keskuspaikka, jota Puumalan Klupi pyörittää: kuka tahansa "
            "voi ehdottaa toimintaa, ja sosiaalityöntekijä ja mielenterveyshoitaja käyvät paikalla ilman vastaanottoa.",
            "Kommuninvånarnas vardagsrum och nav för gemenskapsarbete, som drivs av Puumalan Klupi: vem som helst "
            "kan föreslå verksamhet, och en socialarbetare och en psykiatrisk sjukskötare kommer förbi utan "
            "mottagning.",
            "The residents' living room and hub of community work, run by the Puumala Klupi action group: anyone "
            "can propose an activity, and a social worker and a mental-health nurse drop in without appointments.",
        ),
    ),
    # Seed 003: Raisio.
    SiteData(
        "Raisio",
        S.MEETING_PLACE,
        ("Olkkari",) * 3,
        ("raisio",),
        descriptions=(
            "Raision keskustan matalan kynnyksen kohtaamispaikka ja asiointipiste kaikille kaupunkilaisille: "
            "teemaviikkoja, viikoittaista toimintaa ja pysyvä sosiaalisen kuntoutuksen ryhmä.",
            "En lågtröskelmötesplats och serviceställe i Reso centrum för alla stadsbor: temaveckor, verksamhet "
            "varje vecka och en permanent grupp för social rehabilitering.",
            "A low-threshold meeting place and service point in central Raisio for every resident: theme weeks, "
            "weekly activities and a permanent social-rehabilitation group.",
        ),
        frequency=Site.Frequency.WEEKLY,
    ),
    SiteData(
        "Raisio",
        S.RESIDENTS_LOUNGE,
        ("Petäsmäen asukastupa", "Invånarstugan i Petäsmäki", "Petäsmäki residents' lounge"),
        ("raisio",),
        descriptions=(
            "Petäsmäen alueen asukastupa; aukioloa on supistettu resurssipulan vuoksi ja toimintaa kehitetään "
            "kuukausittaisten yhteisötapahtumien suuntaan.",
            "Invånarstugan i Petäsmäki; öppettiderna har skurits ned av brist på resurser och verksamheten "
            "utvecklas mot månatliga gemenskapsevenemang.",
            "The residents' lounge of the Petäsmäki area; its opening hours were cut for lack of staff and it is "
            "moving to monthly community events.",
        ),
        frequency=Site.Frequency.MONTHLY,
    ),
]

# username: role; every demo user is in Pirkanmaa, the counsellor at two Tampere sites only.
USERS = {
    "demo-admin": Role.ADMIN,
    "demo-coordinator": Role.COORDINATOR,
    "demo-professional": Role.PROFESSIONAL,
    "demo-counsellor": Role.COUNSELLOR,
    "demo-viewer": Role.VIEWER,
}
COUNSELLOR_SITES = ["Yhteisöneuvonta Hervanta L8", "Yhteisöneuvonta Nekala"]
HERVANTA = ["Yhteisökeskus Hervanta L8", "Yhteisöneuvonta Hervanta L8"]


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    sites: int = 0
    organisations: int = 0
    rules: int = 0
    users: list[tuple[str, str]] = field(default_factory=list)  # (username, role label)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


def _upsert(model: type[models.Model], lookup: dict, values: dict, summary: Summary, exclude=()):
    """Get or create a row and save it only if a value differs."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**(lookup | values))
        obj.full_clean(exclude=exclude)
        obj.save()
        summary.created += 1
        return obj
    changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(obj, name, value)
        obj.full_clean(exclude=exclude)
        obj.save()
        summary.updated += 1
    return obj


def _translated(prefix: str, texts: tuple[str, str, str]) -> dict[str, str]:
    return {prefix: texts[0]} | {f"{prefix}_{lang}": text for lang, text in zip(("fi", "sv", "en"), texts, strict=True)}


def _organisations(summary: Summary) -> dict[str, Organisation]:
    counties = {county.code: county for county in WellbeingServicesCounty.objects.all()}
    organisations = {}
    for key, (names, short_name, kind, county) in ORGANISATIONS.items():
        organisations[key] = _upsert(
            Organisation,
            {"name_fi": names[0]},
            _translated("name", names) | {"short_name": short_name, "kind": kind, "county_id": counties[county].pk},
            summary,
        )
    return organisations


def _frequency(data: SiteData) -> str:
    if data.frequency or not data.slots:
        return data.frequency
    days = {day for slot in data.slots for day in slot.weekdays}
    return Site.Frequency.DAILY if len(days) >= 4 else Site.Frequency.WEEKLY


def _site(
    data: SiteData,
    municipality: Municipality,
    organisations: dict[str, Organisation],
    finnish: Language,
    summary: Summary,
) -> Site:
    descriptions = data.descriptions or KIND_DESCRIPTIONS[data.kind]
    if data.notes:
        descriptions = tuple(f"{text} {note}" for text, note in zip(descriptions, data.notes, strict=True))
    in_pirkanmaa = municipality.county.code == PIRKANMAA
    run_by_pirha = "pirha" in data.organisations
    site = _upsert(
        Site,
        {"municipality": municipality, "name_fi": data.names[0]},
        _translated("name", data.names)
        | _translated("description", descriptions)
        | {
            "kind": data.kind,
            "is_public": True,
            "frequency": _frequency(data),
            "metrics": METRICS if run_by_pirha else "",
            "responsible_person": PIRKANMAA_RESPONSIBLE if in_pirkanmaa and data.kind == S.COUNSELLING_POINT else "",
        },
        summary,
    )
    site.organisations.set([organisations[key] for key in data.organisations])
    site.languages.set([finnish])
    _rules(site, data, organisations, summary)
    return site


def _sync(existing: list, wanted: list, key, create, summary: Summary) -> None:
    """Make a site's rows equal to `wanted`: keep the rows that match, delete the rest, create the missing.

    Kept rows keep their ids, so whatever links to them (encounter sessions link to opening
    rules) survives a rerun. Rows are (object, partner ids) pairs; `key` compares them.
    """
    left: dict[str, list] = {}
    for row in existing:
        left.setdefault(key(*row), []).append(row[0])
    missing = []
    for row in wanted:
        matches = left.get(key(*row))
        if matches:
            matches.pop()
        else:
            missing.append(row)
    stale = [obj.pk for objs in left.values() for obj in objs]
    if stale:
        type(existing[0][0])._default_manager.filter(pk__in=stale).delete()
        summary.deleted += len(stale)
    for row in missing:
        create(*row)
        summary.created += 1


def _rule_key(rule: OpeningRule, partner_ids: list[int]) -> str:
    fields = ("weekdays", "starts", "ends", "recurrence", "week_of_month", "valid_from", "valid_until")
    values = [getattr(rule, name) for name in fields]
    descriptions = [getattr(rule, f"description_{lang}") or "" for lang in ("fi", "sv", "en")]
    return repr((*values, str(rule.activity), *descriptions, sorted(partner_ids)))


def _create_rule(rule: OpeningRule, partner_ids: list[int]) -> None:
    rule.full_clean()
    rule.save()
    rule.partners.set(partner_ids)


def _rules(site: Site, data: SiteData, organisations: dict[str, Organisation], summary: Summary) -> None:
    wanted = [
        (
            OpeningRule(
                site=site,
                weekdays=slot.weekdays,
                starts=dt.time.fromisoformat(slot.starts),
                ends=dt.time.fromisoformat(slot.ends),
                activity=slot.activity or data.activity,
            ),
            [organisations[key].pk for key in slot.partners],
        )
        for slot in data.slots
    ]
    existing = [(rule, [p.pk for p in rule.partners.all()]) for rule in site.opening_rules.prefetch_related("partners")]
    _sync(existing, wanted, _rule_key, _create_rule, summary)
    summary.rules += len(wanted)


def _working_day(day: dt.date) -> dt.date:
    while day.isoweekday() > 5 or hours.holiday_name(day):
        day += dt.timedelta(days=1)
    return day


def demo_exceptions(today: dt.date) -> dict[str, list[tuple]]:
    """Exceptions shown in the demo, by Finnish site name: (date, closed, starts, ends, notes fi/sv/en)."""
    training = _working_day(today + dt.timedelta(days=14))
    holiday = hours.holiday_dates(today + dt.timedelta(days=1), today + dt.timedelta(days=400))[0]
    closed = (training, True, None, None, ("Henkilöstökoulutus", "Personalutbildning", "Staff training"))
    special = (
        holiday,
        False,
        dt.time(10),
        dt.time(14),
        ("Avoimet ovet pyhäpäivänä", "Öppet hus på helgdagen", "Open doors on the public holiday"),
    )
    return {HERVANTA[0]: [closed, special], HERVANTA[1]: [closed]}


def _exception_key(exception: OpeningException, _partners=None) -> str:
    notes = [getattr(exception, f"note_{lang}") or "" for lang in ("fi", "sv", "en")]
    return repr((exception.date, exception.closed, exception.starts, exception.ends, *notes))


def _create_exception(exception: OpeningException, _partners=None) -> None:
    exception.full_clean()
    exception.save()


def _exceptions(site: Site, wanted: list[tuple], summary: Summary) -> None:
    rows = []
    for day, closed, starts, ends, notes in wanted:
        exception = OpeningException(site=site, date=day, closed=closed, starts=starts, ends=ends)
        for attribute, value in _translated("note", notes).items():
            setattr(exception, attribute, value)
        rows.append((exception, None))
    existing = [(exception, None) for exception in site.opening_exceptions.all()]
    _sync(existing, rows, _exception_key, _create_exception, summary)


def _users(sites: dict[tuple[str, str], Site], summary: Summary) -> None:
    pirkanmaa = WellbeingServicesCounty.objects.get(code=PIRKANMAA)
    for username, role in USERS.items():
        counsellor = role == Role.COUNSELLOR
        admin = role == Role.ADMIN
        user = _upsert(
            get_user_model(),
            {"username": username},
            {
                "role": role,
                "county_id": None if counsellor else pirkanmaa.pk,
                "municipality_id": None,
                "is_active": True,
                "is_staff": admin,
                "is_superuser": admin,
            },
            summary,
            exclude=["password"],  # set below, hashed
        )
        if not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        user.sites.set([sites["Tampere", name] for name in COUNSELLOR_SITES] if counsellor else [])
        summary.users.append((username, str(role.label)))


@transaction.atomic
def load_demo(*, today: dt.date | None = None) -> Summary:
    """Create or update the demo organisations, sites, opening hours and users."""
    today = today or timezone.localdate()
    summary = Summary()
    with translation.override("fi"):
        organisations = _organisations(summary)
        names = {data.municipality for data in SITES}
        municipalities = {m.name_fi: m for m in Municipality.objects.select_related("county").filter(name_fi__in=names)}
        if len(municipalities) != len(names):
            raise LookupError(
                f"Municipalities missing: {names - set(municipalities)}; run manage.py load_reference_data"
            )
        finnish = Language.objects.get(code="fi")
        sites = {
            (data.municipality, data.names[0]): _site(
                data, municipalities[data.municipality], organisations, finnish, summary
            )
            for data in SITES
        }
        exceptions = demo_exceptions(today)
        for (_municipality, name), site in sites.items():
            _exceptions(site, exceptions.get(name, []), summary)
        _users(sites, summary)
        from kohtaamo.counsellors.demo import load_counsellor_demo

        load_counsellor_demo(today=today)
    summary.sites, summary.organisations = len(sites), len(organisations)
    return summary
