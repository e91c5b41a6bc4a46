"""`manage.py import_hsds FILE`: read an HSDS 3.0 dump (as `export_hsds` writes it) into the directory.

All or nothing: one transaction, and the first record Kohtaamo cannot store stops the import with
a message naming it. Organisations are matched by Business ID (or by kind and Finnish name), sites
by municipality and Finnish name; a matched row is updated and a site's opening rules and
exceptions are replaced by those of the dump, so importing the same file twice changes nothing.
The mapping and the `x_` extension properties are described in `kohtaamo.directory.hsds_mapping`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from kohtaamo.audit.services import log_action
from kohtaamo.directory import hsds_mapping as m
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

WEEKDAYS = {code: day for day, code in m.BYDAY.items()}
# Translations other than Finnish may be left empty; they are stored as NULL then, like the forms do.
OPTIONAL_TRANSLATIONS = ["name_sv", "name_en"]
MICRODEGREE = Decimal("0.000001")


class HsdsImportError(Exception):
    pass


@dataclass
class Summary:
    organisations: int = 0
    sites: int = 0
    rules: int = 0
    exceptions: int = 0


def _texts(record: dict, extension: str, fallback: str | None) -> dict[str, str | None]:
    texts = record.get(extension) or {}
    fi = texts.get("fi") or fallback or ""
    return {"fi": fi} | {language: texts.get(language) or None for language in ("sv", "en")}


def _set_translated(obj, field: str, texts: dict[str, str | None]) -> None:
    setattr(obj, field, texts["fi"])
    for language, text in texts.items():
        setattr(obj, f"{field}_{language}", text)


def _clean(obj, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        messages = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in error.message_dict.items())
        raise HsdsImportError(messages) from None


def _choice(value: str | None, choices, default: str, what: str) -> str:
    if value is None:
        return default
    if value not in choices.values:
        raise HsdsImportError(f"unknown {what} {value!r}")
    return value


def _business_id(record: dict) -> str:
    for identifier in record.get("organization_identifiers") or []:
        if identifier.get("identifier_scheme") == m.BUSINESS_ID_SCHEME or (
            identifier.get("identifier_type") == m.BUSINESS_ID_TYPE
        ):
            return identifier["identifier"]
    return ""


def organisation_import(record: dict) -> Organisation:
    names = _texts(record, "x_names", record["name"])
    kind = _choice(record.get("x_kind"), Organisation.Kind, Organisation.Kind.NGO, "organisation kind")
    business_id = _business_id(record)
    county = None
    if code := record.get("x_county_code"):
        county = WellbeingServicesCounty.objects.filter(code=code).first()
        if county is None:
            raise HsdsImportError(f"unknown wellbeing services county code {code!r}")
    lookup = {"business_id": business_id} if business_id else {"business_id": "", "kind": kind, "name_fi": names["fi"]}
    org = Organisation.objects.filter(**lookup).first() or Organisation()
    _set_translated(org, "name", names)
    _set_translated(org, "description", _texts(record, "x_descriptions", record.get("description")))
    org.short_name = record.get("alternate_name") or ""
    org.kind = kind
    org.business_id = business_id
    org.website = record.get("website") or ""
    org.county = county
    _clean(org, OPTIONAL_TRANSLATIONS)
    org.save()
    return org


def municipality_for(location: dict) -> Municipality:
    """By the Statistics Finland code if the location has one, else by the address's municipality or city name."""
    if code := location.get("x_municipality_code"):
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise HsdsImportError(f"unknown municipality code {code!r}")
        return municipality
    address = (location.get("addresses") or [{}])[0]
    names = [name for name in (address.get("region"), address.get("city")) if name]
    found = {
        municipality
        for name in names
        for municipality in Municipality.objects.filter(Q(name_fi__iexact=name) | Q(name_sv__iexact=name))
    }
    if len(found) != 1:
        given = " / ".join(names) or "no address"
        problem = "no municipality" if not found else "more than one municipality"
        raise HsdsImportError(f"{problem} matches {given!r}; give the municipality code in x_municipality_code")
    return found.pop()


def _coordinate(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(MICRODEGREE)


def site_import(record: dict, location: dict, organisations: dict[str, Organisation]) -> Site:
    municipality = municipality_for(location)
    names = _texts(record, "x_names", record["name"])
    site = Site.objects.filter(municipality=municipality, name_fi=names["fi"]).first() or Site(
        municipality=municipality
    )
    _set_translated(site, "name", names)
    _set_translated(site, "description", _texts(record, "x_descriptions", record.get("description")))
    accessibility = (location.get("accessibility") or [{}])[0]
    _set_translated(site, "accessibility", _texts(accessibility, "x_descriptions", accessibility.get("description")))
    site.kind = _choice(record.get("x_kind"), Site.Kind, Site.Kind.MEETING_PLACE, "site kind")
    address = (location.get("addresses") or [{}])[0]
    site.street_address = address.get("address_1") or ""
    site.postal_code = address.get("postal_code") or ""
    site.post_office = address.get("city") or ""
    site.latitude, site.longitude = _coordinate(location.get("latitude")), _coordinate(location.get("longitude"))
    site.phone = next((phone["number"] for phone in record.get("phones") or []), "")
    site.email = record.get("email") or ""
    site.website = record.get("x_website") or ""
    if site.pk is None:
        site.is_public = True  # a site staff have made internal stays internal
    _clean(site, OPTIONAL_TRANSLATIONS)
    site.save()

    org_ids = record.get("x_organization_ids")
    if org_ids is None:
        org_ids = [record["organization_id"]] if record.get("organization_id") else []
    site.organisations.set([_organisation(organisations, org_id) for org_id in org_ids])
    codes = {language["code"] for language in (record.get("languages") or location.get("languages") or [])}
    languages = list(Language.objects.filter(code__in=codes))
    if unknown := codes - {language.code for language in languages}:
        raise HsdsImportError(f"unknown language codes {sorted(unknown)}")
    site.languages.set(languages)
    return site


def _organisation(organisations: dict[str, Organisation], org_id: str) -> Organisation:
    try:
        return organisations[org_id]
    except KeyError:
        raise HsdsImportError(f"organization {org_id} is not in the dump") from None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _time(value: str | None) -> dt.time | None:
    if not value:
        return None
    time = dt.time.fromisoformat(value)
    if time.tzinfo is not None:
        raise HsdsImportError(f"time {value!r} has a UTC offset; Kohtaamo keeps local Helsinki times")
    return time


def _recurrence(schedule: dict) -> tuple[str, list[int], int | None]:
    """(recurrence, ISO weekdays, week of the month) from freq, interval and byday."""
    freq, interval = schedule.get("freq"), schedule.get("interval") or 1
    parts = [part.strip() for part in (schedule.get("byday") or "").split(",") if part.strip()]
    if not parts:
        raise HsdsImportError("a schedule without byday has no weekdays")
    try:
        weekdays = sorted(WEEKDAYS[part[-2:]] for part in parts)
    except KeyError:
        raise HsdsImportError(f"byday {schedule['byday']!r} is not a list of weekdays like MO,TU") from None
    prefixes = {part[:-2] for part in parts}
    if freq == "WEEKLY" and prefixes == {""} and interval in (1, 2):
        return (OpeningRule.Recurrence.BIWEEKLY if interval == 2 else OpeningRule.Recurrence.WEEKLY), weekdays, None
    if (
        freq == "MONTHLY"
        and interval == 1
        and len(prefixes) == 1
        and (prefix := prefixes.pop()) in {"1", "2", "3", "4", "-1"}
    ):
        return OpeningRule.Recurrence.MONTHLY, weekdays, int(prefix)
    raise HsdsImportError(
        "Kohtaamo stores weekly, every-second-week and monthly (1st–4th or last weekday) schedules, "
        f"not freq={freq} interval={interval} byday={schedule.get('byday')}"
    )


def rule_import(site: Site, schedule: dict, organisations: dict[str, Organisation]) -> OpeningRule:
    recurrence, weekdays, week_of_month = _recurrence(schedule)
    if "x_descriptions" in schedule:
        texts = _texts(schedule, "x_descriptions", None)
    else:  # someone else's HSDS: their description is all there is
        texts = {"fi": (schedule.get("description") or "")[:200], "sv": None, "en": None}
    rule = OpeningRule(
        site=site,
        weekdays=weekdays,
        starts=_time(schedule.get("opens_at")),
        ends=_time(schedule.get("closes_at")),
        recurrence=recurrence,
        week_of_month=week_of_month,
        valid_from=_date(schedule.get("valid_from") or schedule.get("dtstart")),
        valid_until=_date(schedule.get("valid_to") or schedule.get("until")),
        activity=_choice(schedule.get("x_activity"), Activity, Activity.OTHER, "activity"),
    )
    _set_translated(rule, "description", texts)
    _clean(rule)
    rule.save()
    rule.partners.set(
        [_organisation(organisations, org_id) for org_id in schedule.get("x_partner_organization_ids") or []]
    )
    return rule


def exception_import(site: Site, schedule: dict) -> OpeningException:
    day = _date(schedule.get("valid_from") or schedule.get("dtstart"))
    if day is None or (schedule.get("valid_to") and _date(schedule["valid_to"]) != day):
        raise HsdsImportError("an exception is for one day: give valid_from and valid_to as the same date")
    closed = schedule["x_exception"] == m.CLOSED
    exception = OpeningException(
        site=site,
        date=day,
        closed=closed,
        starts=None if closed else _time(schedule.get("opens_at")),
        ends=None if closed else _time(schedule.get("closes_at")),
    )
    _set_translated(exception, "note", _texts(schedule, "x_descriptions", None))
    _clean(exception)
    exception.save()
    return exception


def schedule_import(site: Site, schedule: dict, organisations: dict[str, Organisation]) -> str:
    """Store one schedule as a rule or an exception; returns which ("rules" or "exceptions")."""
    match schedule.get("x_exception"):
        case None:
            rule_import(site, schedule, organisations)
            return "rules"
        case m.CLOSED | m.SPECIAL_HOURS:
            exception_import(site, schedule)
            return "exceptions"
        case other:
            raise HsdsImportError(f"unknown x_exception {other!r}")


def _records(dump: dict, table: str) -> list[dict]:
    records = dump.get(table, [])
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise HsdsImportError(f"{table} must be a list of objects")
    return records


@contextmanager
def _naming(table: str, record: dict):
    """Name the record that fails in the error."""
    try:
        yield
    except HsdsImportError as error:
        raise HsdsImportError(f"{table} {record.get('id', '?')}: {error}") from None
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as error:
        raise HsdsImportError(f"{table} {record.get('id', '?')}: bad or missing value ({error!r})") from None


@transaction.atomic
def hsds_import(dump: dict) -> Summary:
    if not isinstance(dump, dict):
        raise HsdsImportError("the dump must be a JSON object with organizations, services, locations ...")
    summary = Summary()
    # Finnish is active so that `name` and the other translated fields write their Finnish column.
    with translation.override("fi"):
        organisations = {}
        for record in _records(dump, "organizations"):
            with _naming("organization", record):
                organisations[record["id"]] = organisation_import(record)
            summary.organisations += 1
        locations = {record.get("id"): record for record in _records(dump, "locations")}
        location_of, service_of = {}, {}
        for record in _records(dump, "service_at_locations"):
            with _naming("service_at_location", record):
                if record["location_id"] not in locations:
                    raise HsdsImportError(f"location {record['location_id']} is not in the dump")
                location_of.setdefault(record["service_id"], locations[record["location_id"]])
                service_of[record["id"]] = record["service_id"]
        schedules_of = defaultdict(list)
        for record in _records(dump, "schedules"):
            owner = record.get("service_id") or service_of.get(record.get("service_at_location_id"))
            schedules_of[owner].append(record)
        for record in _records(dump, "services"):
            with _naming("service", record):
                if record["id"] not in location_of:
                    raise HsdsImportError("no service_at_location gives this service a location")
                site = site_import(record, location_of[record["id"]], organisations)
                site.opening_rules.all().delete()
                site.opening_exceptions.all().delete()
                for schedule in schedules_of.pop(record["id"], []):
                    with _naming("schedule", schedule):
                        kind = schedule_import(site, schedule, organisations)
                    setattr(summary, kind, getattr(summary, kind) + 1)
            summary.sites += 1
        if schedules_of:
            orphans = sorted(str(schedule.get("id")) for records in schedules_of.values() for schedule in records)
            raise HsdsImportError(f"schedules {orphans} belong to no service in the dump")
    log_action(None, "directory.hsds_import", None, **vars(summary))
    return summary


class Command(BaseCommand):
    help = "Import organisations, sites and opening hours from an HSDS 3.0 JSON dump (as export_hsds writes)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the JSON file")

    def handle(self, *args, file: str, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                dump = json.load(handle)
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            summary = hsds_import(dump)
        except HsdsImportError as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        self.stdout.write(
            f"Imported {summary.organisations} organisations, {summary.sites} sites, "
            f"{summary.rules} opening-hours rules and {summary.exceptions} exceptions."
        )
