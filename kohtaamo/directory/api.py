"""GET /api/v1/sites: the public directory as JSON open data."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Literal
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from kohtaamo.accounts import permissions
from kohtaamo.directory.models import Site
from kohtaamo.lib import hours
from kohtaamo.lib.schema import DetailOut, PlainText

router = Router()
PAGE_SIZE = 100


class Named(Schema):
    fi: str
    sv: str
    en: str


class MunicipalityOut(Schema):
    code: str
    name: Named
    county_code: str


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    business_id: str


class SiteOut(Schema):
    id: int
    name: Named
    kind: str
    municipality: MunicipalityOut
    languages: list[str]
    organisations: list[OrganisationOut]
    street_address: str
    postal_code: str
    latitude: float | None
    longitude: float | None
    url: str


class SitePage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[SiteOut]


class SlotOut(Schema):
    weekdays: list[int] = Field(description="ISO weekdays, 1 = Monday")
    starts: str = Field(description="HH:MM, Europe/Helsinki")
    ends: str = Field(description="HH:MM, Europe/Helsinki; 00:00 is midnight at the end of the day")
    recurrence: str
    week_of_month: int | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    activity: str
    description: str
    partners: list[OrganisationOut]


class OpeningOut(Schema):
    start: dt.datetime = Field(description="with the UTC offset in force in Helsinki on that day")
    end: dt.datetime
    note: str = Field("", description="for special hours: what the exception says")


class SiteDetailOut(SiteOut):
    description: Named
    accessibility: Named
    weekly_hours: list[SlotOut]
    next_openings: list[OpeningOut]
    timezone: str = "Europe/Helsinki"


class SiteFilters(Schema):
    municipality: PlainText | None = Field(None, description="Statistics Finland municipality code, e.g. 837")
    county: PlainText | None = Field(None, description="Wellbeing services county code, e.g. 06")
    # The values as a Literal, not the enum: Site.Kind and Organisation.Kind are both named "Kind", and the
    # OpenAPI document would list one under the other's name (schemathesis found kind=ngo "valid").
    kind: Literal[tuple(Site.Kind.values)] | None = Field(None, description="Kind of site")
    language: PlainText | None = Field(None, description="ISO 639-1 language code, e.g. sv")
    open_at: dt.datetime | None = Field(None, description="ISO 8601 date-time with offset")
    offset: int = Field(0, ge=0, le=2**31 - 1)  # past what any database takes as OFFSET (a 422, not a 500)


def _named(obj, field: str) -> dict:
    return {code: getattr(obj, f"{field}_{code}") or "" for code in ("fi", "sv", "en")}


def _organisation(org) -> dict:
    return {"id": org.pk, "name": org.name, "kind": org.kind, "business_id": org.business_id}


def site_summary(request: HttpRequest, site: Site) -> dict:
    return {
        "id": site.pk,
        "name": _named(site, "name"),
        "kind": site.kind,
        "municipality": {
            "code": site.municipality.code,
            "name": _named(site.municipality, "name"),
            "county_code": site.municipality.county.code,
        },
        "languages": [language.code for language in site.languages.all()],
        "organisations": [_organisation(org) for org in site.organisations.all()],
        "street_address": site.street_address,
        "postal_code": site.postal_code,
        "latitude": float(site.latitude) if site.latitude is not None else None,
        "longitude": float(site.longitude) if site.longitude is not None else None,
        "url": request.build_absolute_uri(site.get_absolute_url()),
    }


@router.get("", response={200: SitePage, 422: DetailOut}, summary="Public sites", auth=None)
def list_sites(request: HttpRequest, filters: Query[SiteFilters]):
    if filters.open_at is not None and filters.open_at.tzinfo is None:
        raise HttpError(422, "open_at needs a UTC offset, e.g. 2026-11-24T11:00:00+02:00")
    # The body holds absolute URLs, so the host is part of the key. Staff get fresh data.
    key = "api-sites:" + hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    cacheable = settings.DIRECTORY_CACHE_SECONDS and not request.user.is_authenticated
    if cacheable and (cached := cache.get(key)) is not None:
        return cached
    sites = permissions.scoped(request.user, Site.objects.public()).order_by("pk")
    if filters.municipality:
        sites = sites.filter(municipality__code=filters.municipality)
    if filters.county:
        sites = sites.filter(municipality__county__code=filters.county)
    if filters.kind:
        sites = sites.filter(kind=filters.kind)
    if filters.language:
        sites = sites.filter(languages__code=filters.language)
    if filters.open_at is not None:
        matching = sites.open_at(filters.open_at)
        count, window = len(matching), matching[filters.offset : filters.offset + PAGE_SIZE]
    else:
        count = sites.count()
        window = list(sites.with_hours()[filters.offset : filters.offset + PAGE_SIZE])

    def link(offset: int) -> str:
        query = {k: v for k, v in request.GET.items() if k != "offset"}
        query["offset"] = str(offset)
        return request.build_absolute_uri(f"{request.path}?{urlencode(query)}")

    body = {
        "count": count,
        "next": link(filters.offset + PAGE_SIZE) if filters.offset + PAGE_SIZE < count else None,
        "previous": link(max(filters.offset - PAGE_SIZE, 0)) if filters.offset else None,
        "results": [site_summary(request, site) for site in window],
    }
    if cacheable:
        cache.set(key, body, settings.DIRECTORY_CACHE_SECONDS)
    return body


@router.get(
    "/{site_id}",
    response={200: SiteDetailOut, 404: DetailOut, 422: DetailOut},
    summary="One site with its hours",
    auth=None,
)
def get_site(request: HttpRequest, site_id: int = Path(..., ge=1, le=2**63 - 1)):
    site = permissions.get_object(request.user, Site.objects.with_hours(), permissions.VIEW, pk=site_id)
    now = dt.datetime.now(tz=hours.HELSINKI)
    return {
        **site_summary(request, site),
        "description": _named(site, "description"),
        "accessibility": _named(site, "accessibility"),
        "weekly_hours": [
            {
                "weekdays": sorted(rule.weekdays),
                "starts": f"{rule.starts:%H:%M}",
                "ends": f"{rule.ends:%H:%M}",
                "recurrence": rule.recurrence,
                "week_of_month": rule.week_of_month,
                "valid_from": rule.valid_from,
                "valid_until": rule.valid_until,
                "activity": rule.activity,
                "description": rule.description,
                "partners": [_organisation(org) for org in rule.partners.all()],
            }
            for rule in site.opening_rules.all()
        ],
        "next_openings": [
            {"start": opening.start, "end": opening.end, "note": opening.note}
            for opening in site.schedule.next_openings(now, 10)
        ],
    }
