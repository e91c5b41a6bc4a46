"""The directory as HSDS 3.0 records (Open Referral Human Services Data Specification), and back.

What maps to what:

- An organisation is an HSDS `organization`. Its Business ID (Y-tunnus) is an
  `organization_identifier` with the org-id.guide scheme FI-PRO (the Finnish Patent and
  Registration Office, which keeps the register of Business IDs).
- A public site is a `service`, a `location` and the `service_at_location` that joins them.
  Internal sites are never exported. The service's `organization_id` is the first running
  organisation by name; all of them are in `x_organization_ids`.
- An opening rule is a `schedule` in HSDS's RRULE fields: `freq` WEEKLY with `interval` 1 or 2,
  or MONTHLY with `byday` such as "1TU" or "-1FR"; `wkst` MO; `opens_at`/`closes_at` as HH:MM:SS
  (a `closes_at` of 00:00:00 is midnight at the end of the day); `valid_from`/`valid_to` and
  `until` from the rule's validity; `dtstart` is the first occurrence on or after `valid_from`.
- An exception is a one-day `schedule` with `valid_from` = `valid_to` = its date. Special hours
  also carry a single occurrence (`dtstart` = `until` = the date, `count` 1) and the times; a
  closed day has no recurrence and no times. HSDS cannot say that an entry *replaces* the
  regular hours of its day, so `x_exception` ("closed" or "special_hours") says it, and the
  `description` says it in words.
- Times are Helsinki wall-clock time. HSDS 3.0's `timezone` is a fixed UTC offset, so it is 2
  (EET); the `notes` and `x_timezone` ("Europe/Helsinki") say that summer time is UTC+3. Regular
  rules do not apply on Finnish public holidays; the notes say that too.

HSDS 3.0 has one `name` and one `description`: they are the Finnish texts. HSDS permits
properties of one's own (docs: "Extending HSDS"), so Kohtaamo adds these, all starting with `x_`:
`x_names`, `x_descriptions` ({"fi", "sv", "en"}), `x_kind` (organisation or site kind),
`x_county_code` (the organisation's wellbeing services county), `x_organization_ids`,
`x_website` (the site's own website), `x_municipality_code` (on the location: Statistics Finland's
code), `x_activity`, `x_partner_organization_ids` (the partners of one time slot),
`x_exception` and `x_timezone`.

Ids are UUIDs derived (uuid5) from natural keys: an organisation's Business ID, or its kind and
Finnish name; a site's municipality code and Finnish name; a schedule's place among its site's
rules or exceptions. So an export imported into an empty database exports again identically,
and the ids stay the same from one export to the next. Renaming a site (or an organisation
without a Business ID) gives it a new id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable

from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kohtaamo.directory.models import OpeningException, OpeningRule, Organisation, Site
from kohtaamo.lib import hours

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://kohtaamo.fi/hsds/3.0")
LANGUAGES = ("fi", "sv", "en")
BYDAY = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
BUSINESS_ID_SCHEME = "FI-PRO"
BUSINESS_ID_TYPE = "Y-tunnus"
TIMEZONE = "Europe/Helsinki"
UTC_OFFSET = 2  # EET; HSDS 3.0 has no field for a zone with summer time
CLOSED, SPECIAL_HOURS = "closed", "special_hours"
# A monthly rule occurs within five weeks of its start, a biweekly one within two.
SEARCH_DAYS = 400


class DuplicateKey(ValueError):
    """Two rows of the directory would get the same HSDS id."""


def hsds_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts)))


def compact(record: dict) -> dict:
    """Leave out the properties that have no value: HSDS types them as strings, not nullable ones."""
    return {key: value for key, value in record.items() if value is not None}


def translations(obj, field: str) -> dict[str, str]:
    return {language: getattr(obj, f"{field}_{language}") or "" for language in LANGUAGES}


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def clock(time: dt.time | None) -> str | None:
    return f"{time:%H:%M:%S}" if time is not None else None


def organization_id(org: Organisation) -> str:
    return organization_key_id(org.business_id, org.kind, org.name_fi)


def organization_key_id(business_id: str, kind: str, name_fi: str) -> str:
    return hsds_id("organization", business_id) if business_id else hsds_id("organization", kind, name_fi)


def service_id(municipality_code: str, name_fi: str) -> str:
    return hsds_id("service", municipality_code, name_fi)


def _site_key(site: Site) -> tuple[str, str]:
    return site.municipality.code, site.name_fi


def by_name(orgs: Iterable[Organisation]) -> list[Organisation]:
    return sorted(orgs, key=lambda org: (org.name_fi or "", org.business_id, org.kind, org.pk))


def organization(org: Organisation) -> dict:
    """Needs the organisation's county selected (select_related or prefetch)."""
    oid = organization_id(org)
    identifiers = []
    if org.business_id:
        identifiers.append(
            {
                "id": hsds_id("organization_identifier", oid),
                "identifier_scheme": BUSINESS_ID_SCHEME,
                "identifier_type": BUSINESS_ID_TYPE,
                "identifier": org.business_id,
            }
        )
    return compact(
        {
            "id": oid,
            "name": org.name_fi,
            "alternate_name": org.short_name or None,
            "description": org.description_fi or "",
            "website": org.website or None,
            "organization_identifiers": identifiers,
            "x_names": translations(org, "name"),
            "x_descriptions": translations(org, "description"),
            "x_kind": org.kind,
            "x_county_code": org.county.code if org.county_id else None,
        }
    )


def _languages(site: Site, owner_id: str) -> list[dict]:
    return [
        {"id": hsds_id("language", owner_id, language.code), "name": language.name_fi, "code": language.code}
        for language in sorted(site.languages.all(), key=lambda language: language.code)
    ]


def service(site: Site, *, url: str | None = None) -> dict:
    """The service's own fields (no nested organization, locations or schedules)."""
    sid = service_id(*_site_key(site))
    orgs = by_name(site.organisations.all())
    phones = [{"id": hsds_id("phone", sid), "number": site.phone}] if site.phone else []
    return compact(
        {
            "id": sid,
            "organization_id": organization_id(orgs[0]) if orgs else None,
            "name": site.name_fi,
            "description": site.description_fi or "",
            "url": url,
            "email": site.email or None,
            "status": "active",
            "languages": _languages(site, sid),
            "phones": phones,
            "x_names": translations(site, "name"),
            "x_descriptions": translations(site, "description"),
            "x_kind": site.kind,
            "x_organization_ids": [organization_id(org) for org in orgs],
            "x_website": site.website or None,
        }
    )


def location(site: Site) -> dict:
    key = _site_key(site)
    lid = hsds_id("location", *key)
    municipality = site.municipality
    addresses = []
    if site.street_address:
        addresses.append(
            {
                "id": hsds_id("address", *key),
                "address_1": site.street_address,
                # The post office is the "city" of a Finnish postal address.
                "city": site.post_office or municipality.name_fi,
                "region": municipality.name_fi,
                "state_province": municipality.county.name_fi,
                "postal_code": site.postal_code,
                "country": "FI",
                "address_type": "physical",
            }
        )
    accessibility = translations(site, "accessibility")
    return compact(
        {
            "id": lid,
            "location_type": "physical",
            "name": site.name_fi,
            "latitude": float(site.latitude) if site.latitude is not None else None,
            "longitude": float(site.longitude) if site.longitude is not None else None,
            "addresses": addresses,
            "accessibility": (
                [
                    {
                        "id": hsds_id("accessibility", *key),
                        "description": accessibility["fi"],
                        "x_descriptions": accessibility,
                    }
                ]
                if any(accessibility.values())
                else []
            ),
            "languages": _languages(site, lid),
            "x_municipality_code": municipality.code,
        }
    )


def service_at_location(site: Site, *, nested: bool = False) -> dict:
    key = _site_key(site)
    record = {
        "id": hsds_id("service_at_location", *key),
        "service_id": service_id(*key),
        "location_id": hsds_id("location", *key),
    }
    if nested:
        record["location"] = location(site)
    return record


def _rule_order(rule: OpeningRule) -> tuple:
    return (
        rule.starts,
        rule.ends,
        sorted(rule.weekdays),
        rule.recurrence,
        rule.week_of_month or 0,
        rule.valid_from or dt.date.min,
        rule.valid_until or dt.date.max,
        rule.activity,
        rule.description_fi or "",
        rule.pk,
    )


def _exception_order(exception: OpeningException) -> tuple:
    return (exception.date, exception.starts or dt.time.min, exception.ends or dt.time.min, exception.pk)


def first_occurrence(slot: hours.Rule) -> dt.date | None:
    if slot.valid_from is None:
        return None
    day = slot.valid_from
    for _offset in range(SEARCH_DAYS):
        if slot.valid_until is not None and day > slot.valid_until:
            return None
        if slot.occurs_on(day):
            return day
        day += dt.timedelta(days=1)
    return None


def _time_notes(*, holidays: bool) -> str:
    notes = _("Times are local time in Europe/Helsinki: UTC+2, in summer UTC+3.")
    # Outside the f-string, where xgettext can find it.
    return notes + " " + _("Not on Finnish public holidays.") if holidays else notes


def rule_schedule(rule: OpeningRule, sid: str, index: int) -> dict:
    slot = rule.as_slot()
    days = [BYDAY[day] for day in sorted(rule.weekdays)]
    if rule.recurrence == OpeningRule.Recurrence.MONTHLY:
        freq, interval, byday = "MONTHLY", 1, ",".join(f"{rule.week_of_month}{day}" for day in days)
    else:
        freq, byday = "WEEKLY", ",".join(days)
        interval = 2 if rule.recurrence == OpeningRule.Recurrence.BIWEEKLY else 1
    partners = by_name(rule.partners.all())
    description = capfirst(rule.get_activity_display())
    if rule.description_fi:
        description += f": {rule.description_fi}"
    if partners:
        description += ". " + _("Partners: %s") % ", ".join(org.short_name or org.name_fi for org in partners)
    return compact(
        {
            "id": hsds_id("schedule", sid, "rule", index),
            "service_id": sid,
            "valid_from": iso(rule.valid_from),
            "valid_to": iso(rule.valid_until),
            "dtstart": iso(first_occurrence(slot)),
            "until": iso(rule.valid_until),
            "timezone": UTC_OFFSET,
            "wkst": "MO",
            "freq": freq,
            "interval": interval,
            "byday": byday,
            "opens_at": clock(rule.starts),
            "closes_at": clock(rule.ends),
            "description": description,
            "notes": _time_notes(holidays=True),
            "attending_type": "in_person",
            "x_activity": rule.activity,
            "x_descriptions": translations(rule, "description"),
            "x_partner_organization_ids": [organization_id(org) for org in partners],
            "x_timezone": TIMEZONE,
        }
    )


def exception_schedule(exception: OpeningException, sid: str, index: int) -> dict:
    day = exception.date
    record = {
        "id": hsds_id("schedule", sid, "exception", index),
        "service_id": sid,
        "valid_from": iso(day),
        "valid_to": iso(day),
        "x_descriptions": translations(exception, "note"),
        "x_timezone": TIMEZONE,
    }
    note = f": {exception.note_fi}" if exception.note_fi else ""
    if exception.closed:
        return record | {"description": _("Closed on this day") + note, "x_exception": CLOSED}
    return record | {
        "dtstart": iso(day),
        "until": iso(day),
        "count": 1,
        "timezone": UTC_OFFSET,
        "wkst": "MO",
        "freq": "WEEKLY",
        "interval": 1,
        "byday": BYDAY[day.isoweekday()],
        "opens_at": clock(exception.starts),
        "closes_at": clock(exception.ends),
        "description": _("Special opening hours instead of the regular ones") + note,
        "notes": _time_notes(holidays=False),
        "attending_type": "in_person",
        "x_exception": SPECIAL_HOURS,
    }


def schedules(site: Site) -> list[dict]:
    """The site's rules, then its exceptions, in a stable order (their ids are their places in it)."""
    sid = service_id(*_site_key(site))
    # Descriptions are written in Finnish, like the HSDS `name`, whatever the request's language.
    with translation.override("fi"):
        rules = sorted(site.opening_rules.all(), key=_rule_order)
        exceptions = sorted(site.opening_exceptions.all(), key=_exception_order)
        return [rule_schedule(rule, sid, index) for index, rule in enumerate(rules)] + [
            exception_schedule(exception, sid, index) for index, exception in enumerate(exceptions)
        ]


def full_service(site: Site, *, url: str | None = None) -> dict:
    """The service with its organization, its location and its schedules nested, as GET /services/{id}."""
    orgs = by_name(site.organisations.all())
    return service(site, url=url) | compact(
        {
            "organization": organization(orgs[0]) if orgs else None,
            "service_at_locations": [service_at_location(site, nested=True)],
            "schedules": schedules(site),
        }
    )


def with_records(sites):
    """Sites with everything their records read, fetched in a constant number of queries."""
    return sites.with_hours().prefetch_related("organisations__county")


def dump(*, url_for=None) -> dict:
    """The whole public directory as flat HSDS tables. `url_for(site)` gives a service's public URL."""
    sites = sorted(with_records(Site.objects.public()), key=_site_key)
    orgs = by_name(Organisation.objects.select_related("county"))
    tables = {
        "organizations": [organization(org) for org in orgs],
        "services": [service(site, url=url_for(site) if url_for else None) for site in sites],
        "locations": [location(site) for site in sites],
        "service_at_locations": [service_at_location(site) for site in sites],
        "schedules": [schedule for site in sites for schedule in schedules(site)],
    }
    for table in ("organizations", "services"):
        names = Counter(record["id"] for record in tables[table])
        if twins := sorted(record["name"] for record in tables[table] if names[record["id"]] > 1):
            # An import could not tell them apart either, so the dump would not come back whole.
            raise DuplicateKey(
                f"{table} {', '.join(twins)}: two share a key (an organisation its kind and name when it has "
                "no Business ID, a site its municipality and name). Rename one, or give the Business ID."
            )
    return tables
