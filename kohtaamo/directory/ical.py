"""A site's opening hours as an RFC 5545 calendar: one recurring event per rule.

Each rule starts (DTSTART) at its first occurrence from this week on; rules that have ended are
left out. Holidays and exception days in a rule's first two years become EXDATEs; special hours are
events of their own. Times carry TZID=Europe/Helsinki, so calendar programs keep 11:00 at 11:00
across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vRecur

from kohtaamo.directory.models import Site
from kohtaamo.lib import hours

BYDAY = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
EXDATE_HORIZON = dt.timedelta(days=730)
# A monthly rule occurs within five weeks; a biweekly one within two; 400 days is plenty.
SEARCH_DAYS = 400


def rrule_for(rule: hours.Rule) -> vRecur:
    days = [BYDAY[day] for day in sorted(rule.weekdays)]
    if rule.recurrence == hours.MONTHLY:
        recur = vRecur(FREQ="MONTHLY", BYDAY=[f"{rule.week_of_month}{day}" for day in days])
    else:
        recur = vRecur(FREQ="WEEKLY", INTERVAL=2 if rule.recurrence == hours.BIWEEKLY else 1, BYDAY=days, WKST="MO")
    if rule.valid_until:
        # UNTIL is in UTC when DTSTART has a time zone (RFC 5545 3.3.10).
        recur["UNTIL"] = hours.local(rule.valid_until, dt.time(23, 59, 59)).astimezone(dt.UTC)
    return recur


def first_occurrence(rule: hours.Rule, today: dt.date) -> dt.date | None:
    """DTSTART must be an occurrence: the first one from this week's Monday (or the validity start) on.

    Starting within the rule's own occurrences keeps an every-second-week rule on its weeks, since
    `occurs_on` counts them from valid_from. None when the rule no longer occurs.
    """
    day = max(d for d in (rule.valid_from, hours.monday(today)) if d is not None)
    for _offset in range(SEARCH_DAYS):
        if rule.valid_until is not None and day > rule.valid_until:
            return None
        if rule.occurs_on(day):
            return day
        day += dt.timedelta(days=1)
    return None


def helsinki_vtimezone() -> Timezone:
    """Europe/Helsinki by the EU rule (last Sundays of March and October, 01:00 UTC), valid without end."""
    tz = Timezone()
    tz.add("tzid", "Europe/Helsinki")
    summer = TimezoneDaylight()
    summer.add("dtstart", dt.datetime(1996, 3, 31, 3, 0))
    summer.add("rrule", vRecur(FREQ="YEARLY", BYMONTH=3, BYDAY="-1SU"))
    summer.add("tzoffsetfrom", dt.timedelta(hours=2))
    summer.add("tzoffsetto", dt.timedelta(hours=3))
    summer.add("tzname", "EEST")
    winter = TimezoneStandard()
    winter.add("dtstart", dt.datetime(1996, 10, 27, 4, 0))
    winter.add("rrule", vRecur(FREQ="YEARLY", BYMONTH=10, BYDAY="-1SU"))
    winter.add("tzoffsetfrom", dt.timedelta(hours=3))
    winter.add("tzoffsetto", dt.timedelta(hours=2))
    winter.add("tzname", "EET")
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def _summary(site: Site, activity_label: str) -> str:
    return f"{site.name}: {activity_label}"


def site_calendar(site: Site, request=None) -> bytes:
    today = hours.today()
    stamp = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Kohtaamo//Opening hours//FI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", site.name)
    calendar.add("x-wr-timezone", "Europe/Helsinki")
    # Always present, so even a site without published hours gives a calendar with a component.
    calendar.add_component(helsinki_vtimezone())
    url = request.build_absolute_uri(site.get_absolute_url()) if request else ""
    # An exception replaces the rules for its whole day: closed, or open at its own special hours.
    exception_days = {exception.date for exception in site.opening_exceptions.all()}
    location = ", ".join(part for part in (site.street_address, site.postal_code, site.municipality.name) if part)

    for rule in site.opening_rules.all():
        slot = rule.as_slot()
        start_day = first_occurrence(slot, today)
        if start_day is None:
            continue
        start, end = hours.interval(start_day, slot.starts, slot.ends)
        event = Event()
        event.add("uid", f"site-{site.pk}-rule-{rule.pk}@kohtaamo")
        event.add("dtstamp", stamp)
        event.add("summary", _summary(site, rule.get_activity_display()))
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("rrule", rrule_for(slot))
        if location:
            event.add("location", location)
        partners = ", ".join(str(partner) for partner in rule.partners.all())
        description = " ".join(part for part in (rule.description, partners and _("Partners: %s") % partners) if part)
        if description:
            event.add("description", description)
        if url:
            event.add("url", url)
        # Holidays are not a recurrence rule, so they are listed for a horizon from the start.
        horizon_end = min(slot.valid_until or start_day + EXDATE_HORIZON, start_day + EXDATE_HORIZON)
        skipped = sorted(
            day
            for day in set(hours.holiday_dates(start_day, horizon_end)) | exception_days
            if start_day <= day <= horizon_end and slot.occurs_on(day)
        )
        for day in skipped:
            event.add("exdate", hours.local(day, slot.starts))
        calendar.add_component(event)

    for exception in site.opening_exceptions.all():
        if exception.closed or exception.date < hours.monday(today):
            continue
        start, end = hours.interval(exception.date, exception.starts, exception.ends)
        event = Event()
        event.add("uid", f"site-{site.pk}-exception-{exception.pk}@kohtaamo")
        event.add("dtstamp", stamp)
        event.add("summary", _summary(site, exception.note or _("special opening hours")))
        event.add("dtstart", start)
        event.add("dtend", end)
        if location:
            event.add("location", location)
        if url:
            event.add("url", url)
        calendar.add_component(event)
    return calendar.to_ical()
