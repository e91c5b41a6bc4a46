"""What every write of the encounters app shares: the domain error, and the lookups done once per run."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kohtaamo.accounts import permissions
from kohtaamo.directory import schedules
from kohtaamo.directory.models import Language, Site
from kohtaamo.encounters.models import Session
from kohtaamo.encounters.taxonomies import ASK, LanguageRef, TermIndex, cached_vocabulary, version_sql
from kohtaamo.lib import bulk, hours


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
    openings: dict[tuple[int, dt.date], list[hours.Opening]] = field(default_factory=dict)
    present_in: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, *, actor, site_ids: Iterable[int], now: dt.datetime | None = None, light: bool = False) -> LogContext:
        """`light`: for writes that only resolve codes and find sessions (the API's batch): the sites as
        `SiteRef`s read with one query of plain values, their hours from the per-process cache of schedules,
        and the terms and languages from the per-process cache of vocabularies, under the version the sites'
        query read beside them."""
        if light:
            sites, version = _site_refs(actor, site_ids)
            terms, languages = cached_vocabulary(version)
            return cls(
                actor=actor,
                sites=sites,
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


# SiteRefs this process made, by the values of the site's row they were made from (its version among them), so
# that an edit of the site or its hours makes a new key; past KNOWN_SIZE keys the dict starts over.
_known: dict[tuple, SiteRef] = {}
KNOWN_SIZE = 4096


def _site_refs(actor, site_ids: Iterable[int]) -> tuple[dict[int, SiteRef], object]:
    """The sites among `site_ids` where the actor logs, as SiteRefs: one query of plain values, written out
    (every batch asks), the scope applied to them by permissions.site_in_scope, and the schedules cached
    under each site's version. With them the vocabulary's version that the query read beside the sites
    (taxonomies.ASK when it read no row)."""
    ids = sorted(set(site_ids))
    if not ids or not permissions.allows(actor, permissions.LOG):
        return {}, ASK
    with connection.cursor() as cursor:
        cursor.execute(_sites_sql(len(ids)), [actor.pk, *ids])
        rows = cursor.fetchall()
    version = rows[0][-1] if rows else ASK
    refs: dict[int, SiteRef] = {}
    new: list[tuple] = []
    for pk, created, updated, municipality_id, county_id, named, _version in rows:
        if not permissions.site_in_scope(
            actor,
            permissions.LOG,
            site_id=pk,
            municipality_id=municipality_id,
            county_id=county_id,
            named=bool(named),
        ):
            continue
        key = (pk, created, updated, county_id)
        if key in _known:
            refs[pk] = _known[key]
        else:
            new.append(key)
    if new:
        found = schedules.by_version((pk, bulk.aware(created), bulk.aware(updated)) for pk, created, updated, _c in new)
        if len(_known) + len(new) > KNOWN_SIZE:
            _known.clear()
        for key in new:
            pk, _created, _updated, county_id = key
            if pk in found:
                refs[pk] = _known[key] = SiteRef(pk, county_id, found[pk])
    return refs, version


@functools.cache
def _sites_sql_head() -> str:
    from kohtaamo.accounts.models import User

    quote = connection.ops.quote_name
    site, municipality = Site._meta, Site._meta.get_field("municipality").related_model._meta
    named = User.sites.through._meta

    def col(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    head = (
        f"SELECT s.{col(site, 'id')}, s.{col(site, 'created_at')}, s.{col(site, 'updated_at')}, "  # noqa: S608 (quoted names)
        f"s.{col(site, 'municipality')}, m.{col(municipality, 'county')}, "
        f"EXISTS (SELECT 1 FROM {quote(named.db_table)} n WHERE n.{col(named, 'user')} = %s "
        f"AND n.{col(named, 'site')} = s.{col(site, 'id')}), {version_sql()} "
        f"FROM {quote(site.db_table)} s JOIN {quote(municipality.db_table)} m "
        f"ON m.{col(municipality, 'id')} = s.{col(site, 'municipality')} "
        f"WHERE s.{col(site, 'id')} IN "
    )
    return head


def _sites_sql(count: int) -> str:
    return _sites_sql_head() + "(" + ", ".join(["%s"] * count) + ")"
