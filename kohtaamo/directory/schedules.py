"""Sites' opening hours as `hours.Schedule`s, cached per process under the site's version.

`Site.updated_at` moves with every change of a site's rules and exceptions (kohtaamo/directory/signals.py),
so a schedule cached under it is never stale, in any process: an edit makes a new key.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.cache import cache
from django.db.models import prefetch_related_objects

from kohtaamo.directory.models import Site

SECONDS = 24 * 3600
# What a site row needs for `attach()`: the key's parts.
VERSION_FIELDS = ("id", "created_at", "updated_at")


def key(site: Site) -> str:
    return f"site-schedule:{site.pk}:{site.created_at.timestamp()}:{site.updated_at.timestamp()}"


def attach(sites: Sequence[Site]) -> None:
    """Give each site its `schedule` from the cache; load the rules and exceptions only of the sites missing."""
    keys = {site.pk: key(site) for site in sites}
    found = cache.get_many(list(keys.values()))
    missing = [site for site in sites if keys[site.pk] not in found]
    if missing:
        prefetch_related_objects(missing, "opening_rules", "opening_exceptions")
        cache.set_many({keys[site.pk]: site.schedule for site in missing}, SECONDS)
    for site in sites:
        if keys[site.pk] in found:
            site.__dict__["schedule"] = found[keys[site.pk]]  # Site.schedule is a cached_property
