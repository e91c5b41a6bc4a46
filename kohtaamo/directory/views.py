"""The public directory: the list of sites, a site's page and its iCalendar feed."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kohtaamo.accounts import permissions
from kohtaamo.core.caching import cache_for_anonymous
from kohtaamo.directory import ical
from kohtaamo.directory.forms import SiteFilterForm
from kohtaamo.directory.models import Site
from kohtaamo.lib import hours

PAGE_SIZE = 50


def _search_q(text: str) -> Q:
    # modeltranslation would narrow `name` to the active language's column; a visitor on /en/
    # types the Finnish name as often as the English one, so search every language.
    q = Q()
    for code in ("fi", "sv", "en"):
        q |= Q(**{f"name_{code}__icontains": text}) | Q(**{f"municipality__name_{code}__icontains": text})
    return q


def filter_sites(form: SiteFilterForm, sites, now: dt.datetime):
    """Apply a valid filter form to a queryset of sites; returns a list when opening hours are asked about."""
    data = form.cleaned_data
    if data.get("q"):
        sites = sites.filter(_search_q(data["q"]))
    if data.get("county"):
        sites = sites.filter(municipality__county=data["county"])
    if data.get("municipality"):
        sites = sites.filter(municipality=data["municipality"])
    if data.get("kind"):
        sites = sites.filter(kind=data["kind"])
    if data.get("language"):
        sites = sites.filter(languages=data["language"])
    if (moment := form.moment(now)) is not None:
        return sites.open_at(moment)
    if (day := form.day()) is not None:
        return sites.open_on(day)
    return sites.with_hours()


@cache_for_anonymous
def site_list(request: HttpRequest) -> HttpResponse:
    form = SiteFilterForm(request.GET or None)
    sites = permissions.scoped(request.user, Site.objects.public())
    now = timezone.now()
    if not form.is_bound:
        sites = sites.with_hours()
    elif form.is_valid():
        sites = filter_sites(form, sites, now)
    else:
        sites = Site.objects.none()
    valid = form.is_bound and form.is_valid()
    page = Paginator(sites, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "directory/site_list.html",
        {
            "form": form,
            "page": page,
            "moment": form.moment(now) if valid else None,
            "day": form.day() if valid else None,
            "query": query.urlencode(),
        },
    )


def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = permissions.get_object(request.user, Site.objects.with_hours(), permissions.VIEW, pk=pk)
    now = timezone.now().astimezone(hours.HELSINKI)
    rules = {rule.pk: rule for rule in site.opening_rules.all()}
    week = [
        (day, [(opening, rules.get(opening.rule_key)) for opening in openings], holiday)
        for day, openings, holiday in site.schedule.week(now.date())
    ]
    partners = {partner.pk: partner for rule in rules.values() for partner in rule.partners.all()}
    return render(
        request,
        "directory/site_detail.html",
        {
            "site": site,
            "rules": list(rules.values()),
            "partners": sorted(partners.values(), key=str),
            "week": week,
            "today": now.date(),
            "next_openings": [(o, rules.get(o.rule_key)) for o in site.schedule.next_openings(now, 10)],
            "open_now": site.schedule.is_open_at(now),
            "can_edit": request.user.is_authenticated and permissions.can(request.user, permissions.EDIT, site),
        },
    )


def site_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    site = permissions.get_object(request.user, Site.objects.with_hours(), permissions.VIEW, pk=pk)
    response = HttpResponse(ical.site_calendar(site, request), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="kohtaamo-site-{site.pk}.ics"'
    return response
