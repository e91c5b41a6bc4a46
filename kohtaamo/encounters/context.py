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
from kohtaamo.encounters.taxonomies import LanguageRef, TermIndex, cached_vocabulary
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


@dataclass(frozen=True)
class SiteRef:
    """What a batch of writes reads of a site, without a model instance: its id, county and opening hours."""

    pk: int
    county_id: int
    schedule: hours.Schedule


@dataclass
class LogContext:
    """What a run of writes by one actor looks up once: the sites in reach, every term, the languages."""

    actor: object
    sites: dict[int, Site | SiteRef]
    terms: TermIndex
    languages: dict[str, Language | LanguageRef]
    now: dt.datetime
    day_sessions: dict[tuple[int, dt.date], list[Session]] = field(default_factory=dict)
    present_in: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, *, actor, site_ids: Iterable[int], now: dt.datetime | None = None, light: bool = False) -> LogContext:
        """`light`: for writes that only resolve codes and find sessions (the API's batch): the sites as
        `SiteRef`s read with one query of plain values, their hours from the per-process cache of schedules,
        and the terms and languages from the per-process cache of vocabularies."""
        if light:
            terms, languages = cached_vocabulary()
            return cls(
                actor=actor,
                sites=_site_refs(actor, site_ids),
                terms=terms,
                languages=languages,
                now=now or timezone.now(),
            )
        sites = Site.objects.select_related("municipality").prefetch_related("opening_rules", "opening_exceptions")
        sites = permissions.scoped(actor, sites.filter(pk__in=set(site_ids)), permissions.LOG)
        return cls(
            actor=actor,
            sites={site.pk: site for site in sites},
            terms=TermIndex.load(),
            languages={language.code: language for language in Language.objects.all()},
            now=now or timezone.now(),
        )

    def county_id(self, site: Site | SiteRef) -> int:
        return site.county_id if isinstance(site, SiteRef) else site.municipality.county_id

    def site(self, site_id: int) -> Site | SiteRef:
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


def _site_refs(actor, site_ids: Iterable[int]) -> dict[int, SiteRef]:
    """The sites among `site_ids` where the actor logs: one query of plain values (the scope's rule joins
    nothing many-valued, so no DISTINCT), and the schedules cached under each site's version."""
    rows = list(
        permissions.scoped(actor, Site.objects.filter(pk__in=set(site_ids)), permissions.LOG, distinct=False)
        .order_by()
        .values_list("id", "created_at", "updated_at", "municipality__county_id")
    )
    found = schedules.by_version((site_id, created, updated) for site_id, created, updated, _county in rows)
    return {
        site_id: SiteRef(site_id, county_id, found[site_id])
        for site_id, _created, _updated, county_id in rows
        if site_id in found
    }
