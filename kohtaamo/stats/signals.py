"""Mark the days whose rollups an edit or a deletion makes stale (new rows are found by the watermark)."""

from __future__ import annotations

from django.db.models.functions import TruncMonth
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from kohtaamo.directory.models import Municipality, Site
from kohtaamo.encounters.models import Encounter, Session, Wish
from kohtaamo.stats.models import DirtyArea, DirtyDay


def mark(pairs) -> None:
    """Mark (site id, day) pairs for the next refresh; marking twice is harmless."""
    DirtyDay.objects.bulk_create(
        [DirtyDay(site_id=site_id, day=day) for site_id, day in set(pairs)], ignore_conflicts=True
    )


def _of_items(model, pks) -> list:
    """(site id, day) of encounters, wishes or sessions."""
    if model is Session:
        return list(Session.objects.filter(pk__in=pks).values_list("site_id", "date"))
    return list(model.objects.filter(pk__in=pks).values_list("session__site_id", "session__date"))


def _item_changed(sender, instance, created: bool = False, **kwargs) -> None:
    if created:
        return  # the watermark finds new rows without a write per row here
    session = Session.objects.filter(pk=instance.session_id).values_list("site_id", "date").first()
    if session:
        mark([session])


def _session_changed(sender, instance: Session, **kwargs) -> None:
    mark([(instance.site_id, instance.date)])


def _terms_changed(sender, instance, action: str, reverse: bool, model, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if isinstance(instance, Session):
        mark([(instance.site_id, instance.date)])
    elif not reverse:
        mark(_of_items(type(instance), [instance.pk]))
    elif pk_set:
        mark(_of_items(model, pk_set))


def _site_moving(sender, instance: Site, raw: bool = False, **kwargs) -> None:
    """A site that changes municipality or kind takes its history along: the area counts of every month
    it has sessions in are recomputed in the county it leaves and in the one it joins."""
    if raw or instance.pk is None:
        return
    before = (
        Site.objects.filter(pk=instance.pk).values_list("municipality_id", "municipality__county_id", "kind").first()
    )
    if before is None or (before[0], before[2]) == (instance.municipality_id, instance.kind):
        return
    counties = {
        before[1],
        Municipality.objects.filter(pk=instance.municipality_id).values_list("county_id", flat=True).first(),
    }
    months = Session.objects.filter(site_id=instance.pk).annotate(m=TruncMonth("date")).values_list("m", flat=True)
    DirtyArea.objects.bulk_create(
        [DirtyArea(county_id=county, month=month) for county in counties if county for month in set(months)],
        ignore_conflicts=True,
    )


def connect() -> None:
    pre_save.connect(_site_moving, sender=Site, dispatch_uid="stats-site-moving")
    for model in (Encounter, Wish):
        post_save.connect(_item_changed, sender=model, dispatch_uid=f"stats-save-{model.__name__}")
        post_delete.connect(_item_changed, sender=model, dispatch_uid=f"stats-delete-{model.__name__}")
    post_save.connect(_session_changed, sender=Session, dispatch_uid="stats-save-session")
    post_delete.connect(_session_changed, sender=Session, dispatch_uid="stats-delete-session")
    throughs = [getattr(Encounter, name).through for name in ("topics", "help_forms", "referrals", "more_info")]
    # staff_present: tally_change() adds the counsellor with every tap, and its UPDATE ... F() sends no signal.
    throughs += [Wish.themes.through, Session.partners.through, Session.staff_present.through]
    for through in throughs:
        m2m_changed.connect(_terms_changed, sender=through, dispatch_uid=f"stats-m2m-{through.__name__}")
