"""Sites' opening hours as `hours.Schedule`s, cached per process under the site's version.

`Site.updated_at` moves with every change of a site's rules and exceptions (kohtaamo/directory/signals.py),
so a schedule cached under it is never stale, in any process: an edit makes a new key. A schedule is
pure data, so the process keeps the ones it used in a dict too, in front of the cache: the cache of a
process (LocMemCache) would unpickle them on every read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.cache import cache
from django.db.models import prefetch_related_objects

from kohtaamo.directory.models import Site
from kohtaamo.lib import hours

SECONDS = 24 * 3600
# What a site row needs for `attach()`: the key's parts.
VERSION_FIELDS = ("id", "created_at", "updated_at")
# Schedules kept in the process; past this many the dict starts over (keys of edited sites pile up).
MEMO_SIZE = 4096
_memo: dict[str, hours.Schedule] = {}


def key(site: Site) -> str:
    return version_key(site.pk, site.created_at, site.updated_at)


def version_key(site_id: int, created_at: dt.datetime, updated_at: dt.datetime) -> str:
    return f"site-schedule:{site_id}:{created_at.timestamp()}:{updated_at.timestamp()}"


def _remember(found: dict[str, hours.Schedule]) -> None:
    if len(_memo) + len(found) > MEMO_SIZE:
        _memo.clear()
    _memo.update(found)


def _lookup(keys: Iterable[str]) -> dict[str, hours.Schedule]:
    """The schedules known under the keys: from the process's dict, else from the cache."""
    found = {k: _memo[k] for k in keys if k in _memo}
    missing = [k for k in keys if k not in found]
    if missing:
        cached = cache.get_many(missing)
        _remember(cached)
        found.update(cached)
    return found


def _store(sites: Sequence[Site], keys: dict[int, str]) -> dict[str, hours.Schedule]:
    prefetch_related_objects(list(sites), "opening_rules", "opening_exceptions")
    made = {keys[site.pk]: site.schedule for site in sites}
    cache.set_many(made, SECONDS)
    _remember(made)
    return made


def attach(sites: Sequence[Site]) -> None:
    """Give each site its `schedule` from the cache; load the rules and exceptions only of the sites missing."""
    keys = {site.pk: key(site) for site in sites}
    found = _lookup(keys.values())
    missing = [site for site in sites if keys[site.pk] not in found]
    if missing:
        _store(missing, keys)
    for site in sites:
        if keys[site.pk] in found:
            site.__dict__["schedule"] = found[keys[site.pk]]  # Site.schedule is a cached_property


def by_version(rows: Iterable[tuple[int, dt.datetime, dt.datetime]]) -> dict[int, hours.Schedule]:
    """Schedules by site id for (id, created_at, updated_at) rows, without site instances when all are cached.

    The rules and exceptions are read only for the sites whose version is not cached yet.
    """
    keys = {site_id: version_key(site_id, created_at, updated_at) for site_id, created_at, updated_at in rows}
    found = _lookup(keys.values())
    missing = [site_id for site_id, k in keys.items() if k not in found]
    if missing:
        sites = list(Site.objects.filter(pk__in=missing).only(*VERSION_FIELDS))
        # The version just read: if the site changed in between, its key moved on and the next read loads it.
        found.update(_store(sites, keys))
    return {site_id: found[k] for site_id, k in keys.items() if k in found}
