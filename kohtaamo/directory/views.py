"""The public directory: the list of sites, a site's page and its iCalendar feed."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.timezone import template_localtime
from django.utils.translation import get_language

from kohtaamo.accounts import permissions
from kohtaamo.core.caching import cache_for_anonymous
from kohtaamo.core.templatetags.kohtaamo import hhmm
from kohtaamo.directory import ical
from kohtaamo.directory.forms import SiteFilterForm
from kohtaamo.directory.models import OpeningRule, Site
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


class Day(NamedTuple):
    """A row of the week table, with everything formatted once."""

    date: dt.date
    label: str
    is_today: bool
    times: list[str]
    whats: list[str]  # per opening: what happens, with whom; "" for special hours without a note
    holiday: str | None


class Slot(NamedTuple):
    """A regular opening-hours rule as the page lists it."""

    describe: str
    recurrence: str
    week_of_month: str
    activity: str
    description: str
    partners: str
    valid_from: str
    valid_until: str


def _labels(field_name: str) -> dict:
    # get_FOO_display() rebuilds (and hashes, translating each lazy label) the whole choice dict per call.
    return dict(OpeningRule._meta.get_field(field_name).flatchoices)


def _span(opening: hours.Opening) -> str:
    return f"{hhmm(opening.start)}–{hhmm(opening.end)}"


def _site_data(site: Site, today: dt.date) -> dict:
    """What the site page derives from the site's rows: the same for every request of a day and language."""
    activities, recurrences, weeks = _labels("activity"), _labels("recurrence"), _labels("week_of_month")
    rules = {rule.pk: rule for rule in site.opening_rules.all()}
    partners = {rule.pk: list(rule.partners.all()) for rule in rules.values()}
    activity = {pk: str(activities.get(rule.activity, rule.activity)) for pk, rule in rules.items()}
    summary = {}  # what the week table says of an opening of each rule
    for pk, rule in rules.items():
        text = capfirst(activity[pk]) + (f": {rule.description}" if rule.description else "")
        if partners[pk]:
            text += f" ({' + '.join(str(p) for p in partners[pk])})"
        summary[pk] = text
    week = [
        Day(
            date=day,
            label=date_format(day, "l j.n."),
            is_today=day == today,
            times=[_span(opening) for opening in openings],
            whats=[summary[o.rule_key] if o.rule_key in rules else o.note for o in openings],
            holiday=holiday,
        )
        for day, openings, holiday in site.schedule.week(today)
    ]
    slots = [
        Slot(
            describe=rule.as_slot().describe(),
            recurrence=str(recurrences.get(rule.recurrence, rule.recurrence)),
            week_of_month=str(weeks.get(rule.week_of_month, rule.week_of_month)) if rule.week_of_month else "",
            activity=activity[pk],
            description=rule.description,
            partners=" + ".join(str(p) for p in partners[pk]),
            valid_from=date_format(rule.valid_from, "j.n.Y") if rule.valid_from else "",
            valid_until=date_format(rule.valid_until, "j.n.Y") if rule.valid_until else "",
        )
        for pk, rule in rules.items()
    ]
    every_partner = {p.pk: p for chosen in partners.values() for p in chosen}
    # The openings that may still be ahead during the day: from midnight on, with enough to spare for the
    # day's own (and last night's) openings ending before the request's moment. Each is formatted once.
    schedule = site.schedule
    yesterday = today - dt.timedelta(days=1)
    spare = len(schedule.openings_on(today)) + len(schedule.openings_on(yesterday))
    upcoming = [
        (
            o.end,
            f"{date_format(template_localtime(o.start), 'D j.n.')} {_span(o)}",
            activity[o.rule_key] if o.rule_key in rules else o.note,
        )
        for o in schedule.next_openings(hours.local(today, dt.time(0)), NEXT_OPENINGS + spare)
    ]
    facts = {
        "site": site,
        "week": week,
        "slots": slots,
        "partners": [p.name for p in sorted(every_partner.values(), key=str)],
        "organisations": [org.name for org in site.organisations.all()],
        "languages": [language.name for language in site.languages.all()],
    }
    return {
        "published": schedule.is_published,
        # What "open now" looks at: the openings that start yesterday or today (one may end at midnight).
        "spans": [(o.start, o.end) for o in schedule.openings_between(yesterday, today)],
        "upcoming": upcoming,
        "week": week,
        "title": site.name,
        "calendar_url": reverse("directory:site_calendar", args=[site.pk]),
        # The parts of the page that show the site's rows, rendered here once rather than on every request;
        # the page puts them together with what depends on the request (directory/site_detail.html).
        "parts": {name: render_to_string(f"directory/_site_{name}.html", facts) for name in PAGE_PARTS},
    }


SITE_DATA_SECONDS = 24 * 3600
NEXT_OPENINGS = 10
PAGE_PARTS = ("head", "intro", "description", "week", "slots", "information")


def _site_page(site: Site, now: dt.datetime) -> dict:
    """The site page's hours and the parts that show the site's rows, each rendered once, however often it opens.

    What derives from the site's row, municipality and county, rules, exceptions, partners, organisations and
    languages is cached per site version (`updated_at`, moved by every edit of those rows:
    kohtaamo/directory/signals.py), visibility, day and language, with the day's openings from midnight on;
    per request only the openings that have ended by now are dropped from the next ones, and "open now" is
    looked up among the day's spans.
    """
    today = now.date()
    key = (
        f"site-page:v2:{site.pk}:{site.created_at.timestamp()}:{site.updated_at.timestamp()}:"
        f"{int(site.is_public)}:{get_language()}:{today}"
    )
    data = cache.get(key)
    if data is None:
        full = Site.objects.with_hours().get(pk=site.pk)
        data = _site_data(full, today)
        cache.set(key, data, SITE_DATA_SECONDS)
    return {
        **data,
        "next_openings": [(when, what) for end, when, what in data["upcoming"] if end > now][:NEXT_OPENINGS],
        "open_now": any(start <= now < end for start, end in data["spans"]),
    }


# Per request the page reads only what decides who sees it and which version of its parts to show; for a
# logged-in user also where the site is, so that "may edit" needs no query of its own (permissions.site_covers).
_PAGE_SITES = Site.objects.only("pk", "is_public", "created_at", "updated_at")
_PAGE_SITES_FOR_STAFF = Site.objects.select_related("municipality").only(
    "pk", "is_public", "created_at", "updated_at", "municipality__county_id"
)


def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sites = _PAGE_SITES_FOR_STAFF if request.user.is_authenticated else _PAGE_SITES
    site = permissions.get_object(request.user, sites, permissions.VIEW, pk=pk)
    now = timezone.now().astimezone(hours.HELSINKI)
    return render(
        request,
        "directory/site_detail.html",
        {
            "site": site,
            "today": now.date(),
            **_site_page(site, now),
            "can_edit": request.user.is_authenticated and permissions.can(request.user, permissions.EDIT, site),
        },
    )


def site_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    site = permissions.get_object(request.user, Site.objects.with_hours(), permissions.VIEW, pk=pk)
    response = HttpResponse(ical.site_calendar(site, request), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="kohtaamo-site-{site.pk}.ics"'
    return response
