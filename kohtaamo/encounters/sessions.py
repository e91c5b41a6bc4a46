"""Sessions: opened lazily from the opening hours (or ad hoc), found for a moment, and their visitor tally."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from kohtaamo.accounts import permissions
from kohtaamo.audit.services import log_action
from kohtaamo.directory.models import OpeningRule, Site
from kohtaamo.encounters.context import EncounterError, LogContext, SiteRef, local_today
from kohtaamo.encounters.models import Session, truncate_to_hour
from kohtaamo.lib import hours, privacy


def _day_sessions(context: LogContext, site: Site | SiteRef, day: dt.date) -> list[Session]:
    key = (site.pk, day)
    if key not in context.day_sessions:
        context.day_sessions[key] = list(Session.objects.filter(site_id=site.pk, date=day).order_by("starts_at"))
    return context.day_sessions[key]


def _session_get_or_create(context: LogContext, site: Site | SiteRef, starts_at: dt.datetime, **defaults) -> Session:
    day = starts_at.astimezone(hours.HELSINKI).date()
    known = _day_sessions(context, site, day)
    for session in known:
        if session.starts_at == starts_at:
            return session
    # get_or_create survives a race: the loser of the unique (site, starts_at) insert reads the winner's row.
    session, created = Session.objects.get_or_create(
        site_id=site.pk, starts_at=starts_at, defaults={"date": day, "opened_by": context.actor, **defaults}
    )
    if created and session.opening_rule_id:
        through = OpeningRule.partners.through
        partners = through.objects.filter(openingrule_id=session.opening_rule_id).values_list("organisation_id")
        session.partners.set([pk for (pk,) in partners])
    known.append(session)
    return session


def _scheduled(context: LogContext, site: Site | SiteRef, opening: hours.Opening) -> Session:
    return _session_get_or_create(
        context,
        site,
        opening.start,
        kind=Session.Kind.SCHEDULED,
        ends_at=opening.end,
        opening_rule_id=opening.rule_key if isinstance(opening.rule_key, int) else None,
    )


def session_for_moment(*, context: LogContext, site: Site | SiteRef, moment: dt.datetime) -> Session:
    """The session a moment at a site belongs to, opened if needed.

    The opening that covers the moment per the opening hours; else a session already open
    then (an ad-hoc one); else an ad-hoc session for the whole day.
    """
    local = moment.astimezone(hours.HELSINKI)
    day = local.date()
    key = (site.pk, day)
    if key not in context.openings:  # a batch asks for the same site and day item after item
        context.openings[key] = site.schedule.openings_on(day)
    for opening in context.openings[key]:
        if opening.contains(local):
            return _scheduled(context, site, opening)
    covering = [session for session in _day_sessions(context, site, day) if session.covers(moment)]
    if covering:
        return covering[-1]
    return _session_get_or_create(context, site, hours.local(day, dt.time(0)), kind=Session.Kind.AD_HOC)


def session_open_scheduled(*, actor, site: Site, starts_at: dt.datetime, now: dt.datetime | None = None) -> Session:
    """Open (or join) today's session that starts at `starts_at` per the site's opening hours."""
    context = LogContext.load(actor=actor, site_ids=[site.pk], now=now)
    site = context.site(site.pk)
    for opening in site.schedule.openings_on(local_today(context.now)):
        if opening.start == starts_at:
            session = _scheduled(context, site, opening)
            context.mark_present(session)
            return session
    raise EncounterError("no_such_opening", _("The site has no opening at that time today."))


@transaction.atomic
def session_open_ad_hoc(*, actor, site: Site, place: str, now: dt.datetime | None = None) -> Session:
    """Open an ad-hoc session now: an outreach pop-up at a library, a Kela office, a shopping centre."""
    context = LogContext.load(actor=actor, site_ids=[site.pk], now=now)
    site = context.site(site.pk)
    place = place.strip()
    # An outreach place may be described by its street address; other personal data may not.
    if privacy.check_text(place, skip={privacy.STREET_ADDRESS}):
        raise EncounterError("personal_data", _("Describe the place without personal data."), field="place")
    session = _session_get_or_create(
        context, site, truncate_to_hour(context.now), kind=Session.Kind.AD_HOC, place=place[:200]
    )
    context.mark_present(session)
    log_action(actor, "session.open_ad_hoc", session, place=session.place)
    return session


def sessions_plan(*, actor, sites: list[Site], days: list[dt.date]) -> list[Session]:
    """The scheduled sessions of the sites on the days, opened ahead of time so that a rota can be planned."""
    context = LogContext.load(actor=actor, site_ids=[site.pk for site in sites])
    return [
        _scheduled(context, site, opening)
        for site in context.sites.values()
        for day in days
        for opening in site.schedule.openings_on(day)
    ]


@transaction.atomic
def tally_change(*, actor, session: Session, delta: int) -> int:
    """Add or take away one visitor; the count never goes below zero, and concurrent taps all count."""
    if delta not in (1, -1):
        raise EncounterError("invalid_delta", _("Add or take away one visitor at a time."))
    sessions = Session.objects.filter(pk=session.pk)
    if delta < 0:
        sessions = sessions.filter(visitor_count__gt=0)
    sessions.update(visitor_count=F("visitor_count") + delta)
    session.refresh_from_db(fields=["visitor_count"])
    session.staff_present.add(actor)
    return session.visitor_count


# --- Reads for the counsellor's screen ---


@dataclass(frozen=True)
class Slot:
    """A session of today: already opened, or so far only in the opening hours."""

    site: Site
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    session: Session | None = None

    def covers(self, moment: dt.datetime) -> bool:
        if self.session is not None:
            return self.session.covers(moment)
        return self.starts_at <= moment < (self.ends_at or self.starts_at)


def todays_slots(*, actor, now: dt.datetime | None = None) -> list[Slot]:
    """Today's openings at the sites where the actor logs, with the sessions opened so far (ad hoc too)."""
    today = local_today(now)
    sites = {site.pk: site for site in permissions.scoped(actor, Site.objects.with_hours(), permissions.LOG)}
    opened = {(s.site_id, s.starts_at): s for s in Session.objects.filter(site_id__in=sites, date=today)}
    slots = [
        Slot(site, opening.start, opening.end, opened.pop((site.pk, opening.start), None))
        for site in sites.values()
        for opening in site.schedule.openings_on(today)
    ]
    slots += [Slot(sites[s.site_id], s.starts_at, s.ends_at, s) for s in opened.values()]
    return sorted(slots, key=lambda slot: (slot.starts_at, slot.site.name))


def preselected(slots: list[Slot], now: dt.datetime) -> Slot | None:
    """The one session the screen can open by itself: the only one going on now, or the only one today."""
    ongoing = [slot for slot in slots if slot.covers(now)]
    if len(ongoing) == 1:
        return ongoing[0]
    return slots[0] if len(slots) == 1 else None
