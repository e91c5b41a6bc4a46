"""A site's opening hours as an RFC 5545 calendar: one recurring event per rule.

Holidays and closed days within a rule's next two years become EXDATEs; special hours are
events of their own. Times carry TZID=Europe/Helsinki, so calendar programs keep 11:00 at
11:00 across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vRecur

from kohtaamo.directory.models import OpeningRule, Site
from kohtaamo.lib import hours

BYDAY = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
EXDATE_HORIZON = dt.timedelta(days=730)


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


def first_occurrence(rule: hours.Rule, today: dt.date) -> dt.date:
    """DTSTART must be an occurrence; start at the validity start (or this week) and find one."""
    day = rule.valid_from or hours.monday(today)
    for _offset in range(400):
        if rule.occurs_on(day):
            return day
        day += dt.timedelta(days=1)
    return rule.valid_from or today


def _summary(site: Site, activity_label: str) -> str:
    return f"{site.name}: {activity_label}"


def site_calendar(site: Site, request=None) -> bytes:
    today = timezone.localdate()
    calendar = Calendar()
    calendar.add("prodid", "-//Kohtaamo//Opening hours//FI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", site.name)
    calendar.add("x-wr-timezone", "Europe/Helsinki")
    url = request.build_absolute_uri(site.get_absolute_url()) if request else ""
    closed_days = {exception.date for exception in site.opening_exceptions.all()}
    location = ", ".join(part for part in (site.street_address, site.postal_code, site.municipality.name) if part)

    rule: OpeningRule
    for rule in site.opening_rules.all():
        slot = rule.as_slot()
        start_day = first_occurrence(slot, today)
        start, end = hours.interval(start_day, slot.starts, slot.ends)
        event = Event()
        event.add("uid", f"site-{site.pk}-rule-{rule.pk}@kohtaamo")
        event.add("dtstamp", timezone.now())
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
        horizon_end = min(slot.valid_until or today + EXDATE_HORIZON, today + EXDATE_HORIZON)
        skipped = sorted(
            day
            for day in set(hours.holiday_dates(start_day, horizon_end)) | closed_days
            if start_day <= day <= horizon_end and slot.occurs_on(day)
        )
        for day in skipped:
            event.add("exdate", hours.local(day, slot.starts))
        calendar.add_component(event)

    for exception in site.opening_exceptions.all():
        if exception.closed:
            continue
        start, end = hours.interval(exception.date, exception.starts, exception.ends)
        event = Event()
        event.add("uid", f"site-{site.pk}-exception-{exception.pk}@kohtaamo")
        event.add("dtstamp", timezone.now())
        event.add("summary", _summary(site, exception.note or _("special opening hours")))
        event.add("dtstart", start)
        event.add("dtend", end)
        if location:
            event.add("location", location)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
