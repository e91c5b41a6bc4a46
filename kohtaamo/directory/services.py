"""Writes to the directory. Every staff change goes through here and lands in the audit log."""

from __future__ import annotations

from django.db import transaction

from kohtaamo.audit.services import diff, log_action, snapshot
from kohtaamo.directory.forms import OpeningExceptionFormSet, OpeningRuleFormSet, SiteForm
from kohtaamo.directory.models import Site

EMPTY = (None, "", [])


def _changes(before: dict, after: dict) -> dict:
    """What changed, leaving out a blank translation stored as NULL before and as "" after."""
    return {key: pair for key, pair in diff(before, after).items() if not (pair[0] in EMPTY and pair[1] in EMPTY)}


@transaction.atomic
def site_save(*, actor, form: SiteForm) -> Site:
    """Create or update a site from a valid form, recording what changed."""
    creating = form.instance.pk is None
    before = {} if creating else snapshot(Site.objects.get(pk=form.instance.pk))
    site = form.save()
    changes = _changes(before, snapshot(site))
    if changes:
        log_action(actor, "site.create" if creating else "site.update", site, changes=changes)
    return site


@transaction.atomic
def site_hours_save(*, actor, site: Site, rules: OpeningRuleFormSet, exceptions: OpeningExceptionFormSet) -> None:
    """Save a site's opening rules and exceptions together, recording each change."""
    for formset, label in ((rules, "opening_rule"), (exceptions, "opening_exception")):
        # Read "before" from the database: validation has already written the typed values into
        # the formset's own instances, so a snapshot of those would show no change at all.
        before = {obj.pk: snapshot(obj) for obj in formset.model.objects.filter(site=site)}
        # Deleting clears an instance's pk, so note the doomed ones first.
        doomed = [form.instance.pk for form in formset.deleted_forms if form.instance.pk]
        saved = formset.save()
        for obj in saved:
            changes = _changes(before.get(obj.pk, {}), snapshot(obj))
            if changes:
                action = "update" if obj.pk in before else "create"
                log_action(actor, f"{label}.{action}", site, item=obj.pk, changes=changes)
        for pk in doomed:
            log_action(actor, f"{label}.delete", site, item=pk, before=before[pk])


@transaction.atomic
def site_delete(*, actor, site: Site) -> None:
    log_action(actor, "site.delete", site, before=snapshot(site))
    site.delete()
