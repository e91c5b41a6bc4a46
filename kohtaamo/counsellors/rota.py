"""The rota: who works at which session, and the staffing rules it must keep.

Rules (seeds 001 and 004): a social-work professional is present at every session, and outreach is
done in work pairs, so an outreach session has at least two people. Planning screens show a broken
rule at once; `manage.py check_rota` lists them for a daily alert.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event

from kohtaamo.accounts import permissions
from kohtaamo.accounts.models import Role
from kohtaamo.audit.services import log_action
from kohtaamo.counsellors.models import Shift
from kohtaamo.directory.ical import helsinki_vtimezone
from kohtaamo.directory.models import Site
from kohtaamo.encounters import sessions as encounter_sessions
from kohtaamo.encounters.models import Session
from kohtaamo.lib import hours

NO_PROFESSIONAL = "no_professional"
NO_WORK_PAIR = "no_work_pair"
RULE_MESSAGES: dict[str, Promise] = {
    NO_PROFESSIONAL: gettext_lazy("No social-work professional on the rota."),
    NO_WORK_PAIR: gettext_lazy("Outreach needs a work pair: at least two people on the rota."),
}


def is_outreach(session: Session) -> bool:
    """An outreach location, or an ad-hoc pop-up somewhere (a library, a Kela office, a shopping centre)."""
    return session.site.kind == Site.Kind.OUTREACH or (session.kind == Session.Kind.AD_HOC and bool(session.place))


def is_professional(user) -> bool:
    return user.role == Role.PROFESSIONAL


@dataclass
class PlannedSession:
    session: Session
    shifts: list[Shift]
    problems: list[str] = field(default_factory=list)

    @property
    def messages(self) -> list[Promise]:
        return [RULE_MESSAGES[code] for code in self.problems]


def rota_problems(session: Session, shifts: list[Shift]) -> list[str]:
    people = [shift.user for shift in shifts]
    problems = []
    if not any(is_professional(person) for person in people):
        problems.append(NO_PROFESSIONAL)
    if is_outreach(session) and len(people) < 2:
        problems.append(NO_WORK_PAIR)
    return problems


def sessions_between(start: dt.date, end: dt.date):
    """Sessions from `start` to `end` (inclusive), with their site and shifts, ready for rota_problems."""
    return (
        Session.objects.filter(date__gte=start, date__lte=end)
        .select_related("site__municipality")
        .prefetch_related(Prefetch("shifts", queryset=Shift.objects.select_related("user")))
        .order_by("starts_at", "site__name")
    )


def rota_plan(sessions) -> list[PlannedSession]:
    planned = []
    for session in sessions:
        shifts = list(session.shifts.all())
        planned.append(PlannedSession(session, shifts, rota_problems(session, shifts)))
    return planned


def rota_week(*, actor, monday: dt.date) -> list[PlannedSession]:
    """A week's sessions at the sites of the actor's area; future ones are opened from the opening hours first."""
    days = [monday + dt.timedelta(days=offset) for offset in range(7)]
    sites = list(permissions.scoped(actor, Site, permissions.PATH))
    upcoming = [day for day in days if day >= hours.today()]
    if upcoming:
        encounter_sessions.sessions_plan(actor=actor, sites=sites, days=upcoming)
    in_area = permissions.scoped(actor, sessions_between(days[0], days[-1]), permissions.PATH)
    return rota_plan(in_area.filter(site__in=sites))


def rota_breaches(*, start: dt.date, end: dt.date) -> list[PlannedSession]:
    """Every session in the period that breaks a rule, for the daily check."""
    return [planned for planned in rota_plan(sessions_between(start, end)) if planned.problems]


def people_for_rota(*, actor):
    """Who a coordinator may put on the rota: active professionals and counsellors of the area."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    counties = permissions.county_ids(actor)
    in_area = (
        Q(county_id__in=counties)
        | Q(municipality__county_id__in=counties)
        | Q(sites__municipality__county_id__in=counties)
    )
    users = get_user_model().objects.filter(
        is_active=True, role__in=[Role.PROFESSIONAL, Role.COUNSELLOR, Role.COORDINATOR]
    )
    if not actor.is_superuser:
        users = users.filter(in_area)
    return users.distinct().order_by("role", "username")


@transaction.atomic
def shift_assign(*, actor, session: Session, user) -> Shift:
    """Put a person on a session's rota; the person must work in the county of the session's site."""
    if session.site.municipality.county_id not in permissions.county_ids(user):
        raise ValidationError(
            {
                "user": _("%(person)s does not work in %(county)s, where %(site)s is; choose someone from that county.")
                % {"person": user.get_username(), "county": session.site.county, "site": session.site}
            }
        )
    shift, created = Shift.objects.get_or_create(session=session, user=user, defaults={"planned_by": actor})
    if created:
        log_action(actor, "rota.assign", session, user=user.pk)
    return shift


@transaction.atomic
def shift_remove(*, actor, shift: Shift) -> None:
    log_action(actor, "rota.remove", shift.session, user=shift.user_id)
    shift.delete()


def shift_hours(shift: Shift) -> float:
    """A past shift's length in hours; a session open until the end of the day is not counted."""
    session = shift.session
    if session.ends_at is None:
        return 0.0
    return (session.ends_at - session.starts_at).total_seconds() / 3600


def rota_hours(user, *, until: dt.datetime | None = None) -> float:
    if user is None:
        return 0.0
    shifts = Shift.objects.filter(user=user, session__starts_at__lt=until or timezone.now()).select_related("session")
    return sum(shift_hours(shift) for shift in shifts)


def shift_calendar(user) -> bytes:
    """The person's shifts as an iCalendar feed: a month back and everything ahead."""
    since = hours.today() - dt.timedelta(days=31)
    shifts = (
        Shift.objects.filter(user=user, session__date__gte=since)
        .select_related("session__site__municipality")
        .order_by("session__starts_at")
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Kohtaamo//Shifts//FI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("My shifts – Kohtaamo"))
    calendar.add("x-wr-timezone", "Europe/Helsinki")
    calendar.add_component(helsinki_vtimezone())
    stamp = timezone.now()
    for shift in shifts:
        session, site = shift.session, shift.session.site
        event = Event()
        event.add("uid", f"shift-{shift.pk}@kohtaamo")
        event.add("dtstamp", stamp)
        event.add("summary", _("Shift: %(site)s") % {"site": site.name})
        event.add("dtstart", session.starts_at.astimezone(hours.HELSINKI))
        ends = session.ends_at or hours.local(session.date + dt.timedelta(days=1), dt.time(0))
        event.add("dtend", ends.astimezone(hours.HELSINKI))
        location = session.place or ", ".join(p for p in (site.street_address, site.municipality.name) if p)
        event.add("location", location)
        calendar.add_component(event)
    return calendar.to_ical()
