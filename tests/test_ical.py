"""The iCalendar feed: RFC 5545 rules that a calendar program expands to the engine's openings."""

import datetime as dt

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from kohtaamo.directory.models import Site
from kohtaamo.lib import hours
from tests import factories as f

pytestmark = pytest.mark.django_db


def feed(client, site) -> Calendar:
    response = client.get(f"/sites/{site.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def event_for(calendar: Calendar, rule) -> dict:
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == f"site-{rule.site_id}-rule-{rule.pk}@kohtaamo"]
    return event


def rrule_text(event) -> str:
    return event["RRULE"].to_ical().decode()


def exdates(event) -> list[dt.datetime]:
    values = event.get("EXDATE", [])
    values = values if isinstance(values, list) else [values]
    return [item.dt for value in values for item in value.dts]


def expand(event, until: dt.datetime) -> list[dt.datetime]:
    """What a calendar program shows: the RRULE from DTSTART, minus the EXDATEs."""
    start = event["DTSTART"].dt
    rule = rrulestr(rrule_text(event), dtstart=start)
    skipped = {moment.astimezone(dt.UTC) for moment in exdates(event)}
    return [moment for moment in rule.between(start, until, inc=True) if moment.astimezone(dt.UTC) not in skipped]


def test_a_biweekly_rule_is_weekly_with_interval_two_from_its_valid_from_week(client, tampere_site):
    valid_from = hours.monday(hours.today()) + dt.timedelta(days=9)  # Wednesday of next week
    rule = f.rule(
        tampere_site, weekdays=(3,), starts="11:00", ends="13:00", recurrence="biweekly", valid_from=valid_from
    )
    event = event_for(feed(client, tampere_site), rule)
    assert "FREQ=WEEKLY" in rrule_text(event)
    assert "INTERVAL=2" in rrule_text(event)
    assert "BYDAY=WE" in rrule_text(event)
    assert event["DTSTART"].dt == hours.local(valid_from, dt.time(11, 0))
    assert event["DTSTART"].params["TZID"] == "Europe/Helsinki"
    assert event["DTEND"].dt == hours.local(valid_from, dt.time(13, 0))


def test_a_first_monday_rule_is_monthly_by_day_1mo(client, tampere_site):
    rule = f.rule(tampere_site, weekdays=(1,), starts="20:00", ends="00:00", recurrence="monthly", week_of_month=1)
    event = event_for(feed(client, tampere_site), rule)
    assert "FREQ=MONTHLY" in rrule_text(event)
    assert "BYDAY=1MO" in rrule_text(event)
    start = event["DTSTART"].dt
    assert start.isoweekday() == 1 and start.day <= 7 and start.date() >= hours.monday(hours.today())
    # Ending at midnight: DTEND is 00:00 the next day.
    assert event["DTEND"].dt == hours.local(start.date() + dt.timedelta(days=1), dt.time(0, 0))


def test_a_last_friday_rule_is_monthly_by_day_minus_1fr(client, tampere_site):
    rule = f.rule(tampere_site, weekdays=(5,), recurrence="monthly", week_of_month=-1)
    assert "BYDAY=-1FR" in rrule_text(event_for(feed(client, tampere_site), rule))


def test_a_holiday_on_the_rules_weekday_is_an_exdate(client, tampere_site):
    # The next Tuesday holiday (26.12.2028, 1.5.2029 ...), with the rule valid around it.
    holiday = next(
        day
        for day in hours.holiday_dates(hours.today() + dt.timedelta(days=14), hours.today() + dt.timedelta(days=3650))
        if day.isoweekday() == 2
    )
    rule = f.rule(
        tampere_site,
        weekdays=(2,),
        starts="11:00",
        ends="13:00",
        valid_from=holiday - dt.timedelta(days=14),
        valid_until=holiday + dt.timedelta(days=14),
    )
    event = event_for(feed(client, tampere_site), rule)
    assert exdates(event) == [hours.local(holiday, dt.time(11, 0))]
    assert exdates(event)[0].tzinfo is not None
    # UNTIL is the end of the last valid day in Helsinki, in UTC.
    assert event["RRULE"]["UNTIL"][0] == hours.local(holiday + dt.timedelta(days=14), dt.time(23, 59, 59)).astimezone(
        dt.UTC
    )
    starts = expand(event, hours.local(holiday + dt.timedelta(days=30), dt.time(0, 0)))
    assert [s.date() for s in starts] == [
        holiday - dt.timedelta(days=14),
        holiday - dt.timedelta(days=7),
        holiday + dt.timedelta(days=7),
        holiday + dt.timedelta(days=14),
    ]


def test_the_feed_has_a_helsinki_vtimezone_that_knows_summer_time(client, tampere_site):
    f.rule(tampere_site)
    calendar = feed(client, tampere_site)
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Helsinki"
    tz = vtimezone.to_tz()
    # Also after 2037, where a table of dates would run out.
    assert dt.datetime(2040, 7, 1, 12, tzinfo=tz).utcoffset() == dt.timedelta(hours=3)
    assert dt.datetime(2040, 1, 1, 12, tzinfo=tz).utcoffset() == dt.timedelta(hours=2)
    assert dt.datetime(2027, 3, 28, 2, 30, tzinfo=tz).utcoffset() == dt.timedelta(hours=2)
    assert dt.datetime(2027, 3, 28, 4, 30, tzinfo=tz).utcoffset() == dt.timedelta(hours=3)


def test_a_site_without_hours_is_still_a_valid_calendar(client, tampere_site):
    calendar = feed(client, tampere_site)
    assert calendar["VERSION"] == "2.0"
    assert calendar.walk("VEVENT") == []
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_a_rule_that_has_ended_is_left_out(client, tampere_site):
    f.rule(tampere_site, valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2024, 6, 30))
    assert feed(client, tampere_site).walk("VEVENT") == []


def test_special_hours_are_an_event_and_their_day_is_excluded_from_the_rule(client, tampere_site):
    rule = f.rule(tampere_site, weekdays=(4,), starts="09:00", ends="12:00")
    thursday = hours.monday(hours.today()) + dt.timedelta(days=14 + 3)
    f.exception(tampere_site, thursday, closed=False, starts="10:00", ends="11:00", note="Joulupuuro")
    calendar = feed(client, tampere_site)
    assert hours.local(thursday, dt.time(9, 0)) in exdates(event_for(calendar, rule))
    (special,) = [e for e in calendar.walk("VEVENT") if "exception" in str(e["UID"])]
    assert special["DTSTART"].dt == hours.local(thursday, dt.time(10, 0))
    assert "Joulupuuro" in str(special["SUMMARY"])


def test_partners_are_in_the_event_description(client, tampere_site):
    rule = f.rule(tampere_site, partners=[f.organisation(name="A-kilta"), f.organisation(name="Tampereen seurakunnat")])
    description = str(event_for(feed(client, tampere_site), rule)["DESCRIPTION"])
    assert "A-kilta" in description and "Tampereen seurakunnat" in description


@pytest.mark.parametrize("weeks", [10, 52])
def test_the_feed_expands_to_the_same_openings_as_the_engine(client, tampere_site, weeks):
    today = hours.today()
    f.rule(tampere_site, weekdays=(2, 4), starts="11:00", ends="13:00")
    f.rule(tampere_site, weekdays=(2,), starts="15:00", ends="17:00", valid_from=today - dt.timedelta(days=200))
    f.rule(
        tampere_site,
        weekdays=(3,),
        starts="09:00",
        ends="10:30",
        recurrence="biweekly",
        valid_from=today - dt.timedelta(days=17),
    )
    f.rule(tampere_site, weekdays=(1,), starts="20:00", ends="00:00", recurrence="monthly", week_of_month=1)
    f.rule(tampere_site, weekdays=(5,), starts="00:00", ends="02:00", recurrence="monthly", week_of_month=-1)
    f.rule(tampere_site, weekdays=(6,), starts="10:00", ends="14:00", valid_until=today + dt.timedelta(days=40))
    first, last = hours.monday(today), today + dt.timedelta(weeks=weeks)
    site = Site.objects.with_hours().get(pk=tampere_site.pk)
    expected = sorted(o.start.astimezone(dt.UTC) for o in site.schedule.openings_between(first, last))

    calendar = feed(client, tampere_site)
    until = hours.local(last, dt.time(23, 59))
    from_feed = sorted(s.astimezone(dt.UTC) for event in calendar.walk("VEVENT") for s in expand(event, until))
    assert len(expected) > weeks * 2
    assert from_feed == expected


def test_the_site_page_links_its_calendar_as_an_alternate(client, tampere_site):
    response = client.get(f"/sites/{tampere_site.pk}/")
    html = response.content.decode()
    assert f'<link rel="alternate" type="text/calendar" href="/sites/{tampere_site.pk}/calendar.ics"' in html


def test_the_swedish_page_links_the_swedish_feed(client, tampere_site):
    html = client.get(f"/sv/sites/{tampere_site.pk}/").content.decode()
    assert f'<link rel="alternate" type="text/calendar" href="/sv/sites/{tampere_site.pk}/calendar.ics"' in html


def test_an_internal_sites_feed_is_not_found_for_anonymous_visitors(client, tampere_site):
    Site.objects.filter(pk=tampere_site.pk).update(is_public=False)
    assert client.get(f"/sites/{tampere_site.pk}/calendar.ics").status_code == 404
