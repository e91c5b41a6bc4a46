"""What every write of the encounters app shares: the domain error, and the lookups done once per run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kohtaamo.accounts import permissions
from kohtaamo.directory import schedules
from kohtaamo.directory.models import Language, Site
from kohtaamo.encounters.models import Session
from kohtaamo.encounters.taxonomies import TermIndex
from kohtaamo.lib import hours


class EncounterError(Exception):
    """A refused write. `code` is for machines, `message` for people; `problems` lists every one found."""

    def __init__(self, code: str, message: str | Promise, *, field: str | None = None, problems=None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        self.problems: list[EncounterError] = problems or [self]

    @classmethod
    def collect(cls, problems: list[EncounterError]) -> EncounterError:
        first = problems[0]
        return cls(first.code, first.message, field=first.field, problems=problems)


@dataclass
class LogContext:
    """What a run of writes by one actor looks up once: the sites in reach, every term, the languages."""

    actor: object
    sites: dict[int, Site]
    terms: TermIndex
    languages: dict[str, Language]
    now: dt.datetime
    day_sessions: dict[tuple[int, dt.date], list[Session]] = field(default_factory=dict)
    present_in: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, *, actor, site_ids: Iterable[int], now: dt.datetime | None = None, light: bool = False) -> LogContext:
        """`light`: for writes that only resolve codes and find sessions (the API's batch): the sites'
        and terms' columns that this needs, and the hours from the per-process cache of schedules."""
        # Only what logging reads: the county (for the terms) and the hours (for the sessions). Partners
        # are read when a session is opened; organisations and languages are never needed here.
        if light:
            sites = Site.objects.select_related("municipality").only(
                *schedules.VERSION_FIELDS, "municipality__id", "municipality__county_id"
            )
        else:
            sites = Site.objects.select_related("municipality").prefetch_related("opening_rules", "opening_exceptions")
        sites = list(permissions.scoped(actor, sites.filter(pk__in=set(site_ids)), permissions.LOG))
        if light:
            schedules.attach(sites)
        languages = Language.objects.only("id", "code") if light else Language.objects.all()
        return cls(
            actor=actor,
            sites={site.pk: site for site in sites},
            terms=TermIndex.load(light=light),
            languages={language.code: language for language in languages},
            now=now or timezone.now(),
        )

    def site(self, site_id: int) -> Site:
        try:
            return self.sites[site_id]
        except KeyError:
            raise EncounterError(
                "site_not_allowed", _("You cannot log encounters at this site."), field="site"
            ) from None

    def mark_present(self, session: Session) -> None:
        if session.pk not in self.present_in:
            session.staff_present.add(self.actor)
            self.present_in.add(session.pk)


def local_today(now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(hours.HELSINKI).date()
