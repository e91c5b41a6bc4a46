"""Keep `Site.updated_at` the version of everything a site's page derives from its rows.

The site page caches what it computes and renders from the site's row, its municipality and county,
rules, exceptions, partners, organisations and languages under a key with `updated_at`
(kohtaamo/directory/views.py); saving the site moves it (`auto_now`). The cache is per process
unless REDIS_URL is set, so the version lives in the database: every change of those rows moves the
site's `updated_at`, and every process sees the new key on its next request.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone


def touch_sites(q: Q) -> None:
    from kohtaamo.directory.models import Site

    Site.objects.filter(q).update(updated_at=timezone.now())


def _hours_changed(sender, instance, **kwargs) -> None:
    if instance.site_id is not None:
        touch_sites(Q(pk=instance.site_id))


def _site_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    from kohtaamo.directory.models import OpeningRule, Site

    if reverse and action == "pre_clear":
        # organisation.sites.clear() names no sites: note them now, move their version once they are cleared.
        instance._kohtaamo_cleared = set(_linked_sites(sender, instance, model))
        return
    if not action.startswith("post_"):
        return
    if not reverse:  # instance is a Site or an OpeningRule
        if isinstance(instance, Site):
            touch_sites(Q(pk=instance.pk))
        elif isinstance(instance, OpeningRule):
            touch_sites(Q(pk=instance.site_id))
        return
    # From the other side (organisation.sites.add(...), language.site_set...): the sites named.
    if action == "post_clear":
        ids = getattr(instance, "_kohtaamo_cleared", set())
        if ids:
            touch_sites(Q(pk__in=ids))
    elif model is Site and pk_set:
        touch_sites(Q(pk__in=pk_set))
    elif model is OpeningRule and pk_set:
        touch_sites(Q(opening_rules__pk__in=pk_set))


def _linked_sites(through, instance, model) -> list[int]:
    """The sites linked to `instance` (an organisation or a language) through `through`."""
    from kohtaamo.directory.models import OpeningRule

    other = next(f for f in through._meta.get_fields() if f.many_to_one and f.related_model is type(instance))
    rows = through.objects.filter(**{other.name: instance.pk})
    if model is OpeningRule:
        return list(rows.values_list("openingrule__site_id", flat=True))
    return list(rows.values_list("site_id", flat=True))


def _named_thing_changed(sender, instance, **kwargs) -> None:
    """An organisation, a language, a municipality or a county shown on site pages: renamed or removed."""
    from kohtaamo.directory.models import Language, Municipality, Organisation, Site, WellbeingServicesCounty

    if sender is Municipality:
        touch_sites(Q(municipality=instance.pk))
        return
    if sender is WellbeingServicesCounty:
        touch_sites(Q(municipality__county=instance.pk))
        return
    if sender is Organisation:
        ids = set(Site.objects.filter(organisations=instance.pk).values_list("pk", flat=True))
        ids |= set(Site.objects.filter(opening_rules__partners=instance.pk).values_list("pk", flat=True))
    elif sender is Language:
        ids = set(Site.objects.filter(languages=instance.pk).values_list("pk", flat=True))
    else:
        return
    if ids:
        touch_sites(Q(pk__in=ids))


def connect() -> None:
    from kohtaamo.directory.models import (
        Language,
        Municipality,
        OpeningException,
        OpeningRule,
        Organisation,
        Site,
        WellbeingServicesCounty,
    )

    for model in (OpeningRule, OpeningException):
        post_save.connect(_hours_changed, sender=model, dispatch_uid=f"site-version-{model.__name__}-save")
        post_delete.connect(_hours_changed, sender=model, dispatch_uid=f"site-version-{model.__name__}-delete")
    for through in (OpeningRule.partners.through, Site.organisations.through, Site.languages.through):
        m2m_changed.connect(_site_m2m_changed, sender=through, dispatch_uid=f"site-version-{through.__name__}")
    for model in (Organisation, Language, Municipality, WellbeingServicesCounty):
        post_save.connect(_named_thing_changed, sender=model, dispatch_uid=f"site-version-{model.__name__}-save")
        pre_delete.connect(_named_thing_changed, sender=model, dispatch_uid=f"site-version-{model.__name__}-del")
