"""The HSDS 3.0 API (Open Referral) under /hsds/: public sites as services, organisations, schedules.

Read-only and public, like the directory. The records and the `x_` extension properties are
described in `kohtaamo.directory.hsds_mapping`. Lists are paged as the HSDS API asks; `page` counts
from 1 (to 1,000,000) and `per_page` is 1–500 (50 by default): a value outside those bounds is
answered 422, not clamped.
Properties without a value are left out rather than sent as null.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import translation
from ninja import Field, Query, Router, Schema

from kohtaamo.accounts import permissions
from kohtaamo.directory import hsds_mapping as m
from kohtaamo.directory.models import Organisation, Site

router = Router()
MAX_PAGE = 1_000_000  # keeps the offset a number every database takes
HSDS_DOCS = "https://docs.openreferral.org/en/latest/hsds/"


class HsdsTexts(Schema):
    fi: str
    sv: str
    en: str


class HsdsOrganizationIdentifier(Schema):
    id: str
    identifier_scheme: str = Field(description="org-id.guide scheme: FI-PRO for a Finnish Business ID")
    identifier_type: str
    identifier: str


class HsdsOrganization(Schema):
    id: str
    name: str = Field(description="in Finnish; all languages in x_names")
    alternate_name: str | None = None
    description: str
    website: str | None = None
    organization_identifiers: list[HsdsOrganizationIdentifier]
    x_names: HsdsTexts
    x_descriptions: HsdsTexts
    x_kind: Organisation.Kind
    x_county_code: str | None = Field(None, description="the wellbeing services county that keeps this record")


class HsdsLanguage(Schema):
    id: str
    name: str
    code: str = Field(description="ISO 639-1, or ISO 639-3 where there is none")


class HsdsPhone(Schema):
    id: str
    number: str


class HsdsAddress(Schema):
    id: str
    address_1: str
    city: str = Field(description="the post office, or the municipality when there is none")
    region: str = Field(description="the municipality")
    state_province: str = Field(description="the wellbeing services county")
    postal_code: str
    country: str
    address_type: str


class HsdsAccessibility(Schema):
    id: str
    description: str
    x_descriptions: HsdsTexts


class HsdsLocation(Schema):
    id: str
    location_type: str
    name: str
    latitude: float | None = None
    longitude: float | None = None
    addresses: list[HsdsAddress]
    accessibility: list[HsdsAccessibility]
    languages: list[HsdsLanguage]
    x_municipality_code: str = Field(description="Statistics Finland's municipality code, e.g. 837")


class HsdsSchedule(Schema):
    id: str
    service_id: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    dtstart: dt.date | None = Field(None, description="the first occurrence")
    until: dt.date | None = None
    count: int | None = None
    timezone: int | None = Field(None, description="UTC offset of standard time; see x_timezone")
    wkst: str | None = None
    freq: str | None = Field(None, description="WEEKLY or MONTHLY")
    interval: int | None = None
    byday: str | None = Field(None, description='e.g. "TU,TH", or "1TU" and "-1FR" with MONTHLY')
    opens_at: str | None = Field(None, description="HH:MM:SS, Helsinki time")
    closes_at: str | None = Field(None, description="HH:MM:SS, Helsinki time; 00:00:00 is midnight at the end")
    description: str
    notes: str | None = None
    attending_type: str | None = None
    x_activity: str | None = None
    x_descriptions: HsdsTexts
    x_partner_organization_ids: list[str] | None = None
    x_exception: str | None = Field(None, description='"closed" or "special_hours": replaces that day\'s hours')
    x_timezone: str


class HsdsServiceAtLocation(Schema):
    id: str
    service_id: str
    location_id: str
    location: HsdsLocation | None = None


class HsdsService(Schema):
    id: str
    organization_id: str | None = None
    name: str = Field(description="in Finnish; all languages in x_names")
    description: str
    url: str | None = Field(None, description="the public page of the site")
    email: str | None = None
    status: str
    languages: list[HsdsLanguage]
    phones: list[HsdsPhone]
    x_names: HsdsTexts
    x_descriptions: HsdsTexts
    x_kind: Site.Kind
    x_organization_ids: list[str] = Field(description="all the organisations that run the site")
    x_website: str | None = None
    organization: HsdsOrganization | None = Field(None, description="in a full service")
    service_at_locations: list[HsdsServiceAtLocation] | None = Field(None, description="in a full service")
    schedules: list[HsdsSchedule] | None = Field(None, description="in a full service")


class HsdsPage(Schema):
    total_items: int
    total_pages: int
    page_number: int
    size: int = Field(description="the number of items on this page")
    first_page: bool
    last_page: bool
    empty: bool


class HsdsServicePage(HsdsPage):
    contents: list[HsdsService]


class HsdsOrganizationPage(HsdsPage):
    contents: list[HsdsOrganization]


class HsdsServiceAtLocationPage(HsdsPage):
    contents: list[HsdsServiceAtLocation]


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(50, ge=1, le=500)


class ServiceParams(PageParams):
    full: bool = Field(False, description="nest each service's organization, location and schedules")


class HsdsInfo(Schema):
    version: str
    profile: str
    openapi_url: str
    description: str


class HsdsNotFound(Schema):
    detail: str


class HsdsInvalid(Schema):
    detail: list[dict[str, Any]] = Field(description="what is wrong with which parameter")


def paged(queryset: QuerySet, params: PageParams, record: Callable) -> dict:
    total = queryset.count()
    start = (params.page - 1) * params.per_page
    contents = [record(obj) for obj in queryset[start : start + params.per_page]]
    total_pages = math.ceil(total / params.per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": params.page,
        "size": len(contents),
        "first_page": params.page == 1,
        "last_page": params.page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def public_sites(request: HttpRequest) -> QuerySet[Site]:
    return permissions.scoped(request.user, Site.objects.public()).order_by("municipality__code", "name_fi", "pk")


def site_url(request: HttpRequest, site: Site) -> str:
    with translation.override("fi"):  # the Finnish page has no language prefix
        return request.build_absolute_uri(site.get_absolute_url())


def site_by_hsds_id(request: HttpRequest, service_id: str) -> Site:
    """The ids are derived, not stored: find the public site whose derived id this is."""
    rows = public_sites(request).values_list("pk", "municipality__code", "name_fi")
    pk = next((pk for pk, code, name in rows if m.service_id(code, name) == service_id), None)
    if pk is None:
        raise Http404
    return permissions.get_object(request.user, m.with_records(Site.objects.public()), pk=pk)


@router.get("/", response=HsdsInfo, summary="About this HSDS API", auth=None)
def hsds_info(request: HttpRequest):
    return {
        "version": "3.0",
        "profile": HSDS_DOCS,
        "openapi_url": request.build_absolute_uri(reverse("api-1:openapi-json")),
        "description": "Kohtaamo's public directory of community social work sites in Finland. Names and "
        "descriptions are in Finnish; x_names and x_descriptions hold fi, sv and en. Properties starting with "
        "x_ are Kohtaamo's extensions.",
    }


@router.get(
    "/services",
    response={200: HsdsServicePage, 422: HsdsInvalid},
    summary="Public sites as services",
    auth=None,
    exclude_none=True,
)
def list_services(request: HttpRequest, params: Query[ServiceParams]):
    sites = public_sites(request)
    if params.full:
        return paged(m.with_records(sites), params, lambda site: m.full_service(site, url=site_url(request, site)))
    sites = sites.select_related("municipality").prefetch_related("organisations", "languages")
    return paged(sites, params, lambda site: m.service(site, url=site_url(request, site)))


@router.get(
    "/services/{id}",
    response={200: HsdsService, 404: HsdsNotFound},
    summary="One service with its organization, location and schedules",
    auth=None,
    exclude_none=True,
)
def get_service(request: HttpRequest, id: str):
    site = site_by_hsds_id(request, id)
    return m.full_service(site, url=site_url(request, site))


@router.get(
    "/organizations",
    response={200: HsdsOrganizationPage, 422: HsdsInvalid},
    summary="Organisations",
    auth=None,
    exclude_none=True,
)
def list_organizations(request: HttpRequest, params: Query[PageParams]):
    orgs = permissions.scoped(request.user, Organisation.objects.select_related("county"))
    return paged(orgs.order_by("name_fi", "business_id", "kind", "pk"), params, m.organization)


@router.get(
    "/organizations/{id}",
    response={200: HsdsOrganization, 404: HsdsNotFound},
    summary="One organisation",
    auth=None,
    exclude_none=True,
)
def get_organization(request: HttpRequest, id: str):
    orgs = permissions.scoped(request.user, Organisation.objects.all())
    rows = orgs.values_list("pk", "business_id", "kind", "name_fi")
    pk = next(
        (pk for pk, business_id, kind, name in rows if m.organization_key_id(business_id, kind, name) == id), None
    )
    if pk is None:
        raise Http404
    return m.organization(permissions.get_object(request.user, Organisation.objects.select_related("county"), pk=pk))


@router.get(
    "/service_at_locations",
    response={200: HsdsServiceAtLocationPage, 422: HsdsInvalid},
    summary="Where each service is given, with the location",
    auth=None,
    exclude_none=True,
)
def list_service_at_locations(request: HttpRequest, params: Query[PageParams]):
    sites = public_sites(request).select_related("municipality__county").prefetch_related("languages")
    return paged(sites, params, lambda site: m.service_at_location(site, nested=True))
