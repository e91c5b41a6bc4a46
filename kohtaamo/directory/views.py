"""The public directory: the list of sites, a site's page and its iCalendar feed."""

from __future__ import annotations

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


def filter_sites(form: SiteFilterForm, sites):
    """Apply a valid filter form to a queryset of sites; returns a list when a moment is asked for."""
    data = form.cleaned_data
    if data.get("q"):
        sites = sites.filter(Q(name__icontains=data["q"]) | Q(municipality__name__icontains=data["q"]))
    if data.get("county"):
        sites = sites.filter(municipality__county=data["county"])
    if data.get("municipality"):
        sites = sites.filter(municipality=data["municipality"])
    if data.get("kind"):
        sites = sites.filter(kind=data["kind"])
    if data.get("language"):
        sites = sites.filter(languages=data["language"])
    moment = form.moment(timezone.now())
    if moment is not None:
        return sites.open_at(moment), moment
    return sites.with_hours(), None


@cache_for_anonymous
def site_list(request: HttpRequest) -> HttpResponse:
    form = SiteFilterForm(request.GET or None)
    sites = permissions.scoped(request.user, Site.objects.public())
    moment = None
    if form.is_bound and form.is_valid():
        sites, moment = filter_sites(form, sites)
    elif not form.is_bound:
        sites = sites.with_hours()
    else:
        sites = Site.objects.none()
    page = Paginator(sites, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "directory/site_list.html",
        {"form": form, "page": page, "moment": moment, "query": query.urlencode(), "now": timezone.now()},
    )


def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = permissions.get_object(request.user, Site.objects.with_hours(), permissions.VIEW, pk=pk)
    now = timezone.localtime()
    rules = {rule.pk: rule for rule in site.opening_rules.all()}
    week = [
        (day, [(opening, rules.get(opening.rule_key)) for opening in openings], holiday)
        for day, openings, holiday in site.schedule.week(now.date())
    ]
    return render(
        request,
        "directory/site_detail.html",
        {
            "site": site,
            "rules": rules.values(),
            "week": week,
            "today": now.date(),
            "next_openings": [(o, rules.get(o.rule_key)) for o in site.schedule.next_openings(now, 10)],
            "open_now": site.schedule.is_open_at(now),
            "can_edit": permissions.can(request.user, permissions.EDIT, site),
        },
    )


def site_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    site = permissions.get_object(request.user, Site.objects.with_hours(), permissions.VIEW, pk=pk)
    response = HttpResponse(ical.site_calendar(site, request), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="kohtaamo-site-{site.pk}.ics"'
    return response
