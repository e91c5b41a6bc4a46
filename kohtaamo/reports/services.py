"""Writes of the reports app: narratives, published versions, costs, and the audit of every download."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import get_language

from kohtaamo.audit.services import log_action, snapshot
from kohtaamo.reports import figures
from kohtaamo.reports.areas import Area, Period
from kohtaamo.reports.models import Narrative, PublishedReport, SessionSeriesCost
from kohtaamo.reports.social_report import build_pdf


def _filters(area: Area, period: Period, **extra) -> dict:
    """What the audit log records of a document: which area and period, in which language."""
    return {
        "area": area.kind,
        "code": area.code,
        "from": period.date_from,
        "to": period.date_to,
        "language": get_language(),
        **extra,
    }


def narrative_for(area: Area, period: Period) -> Narrative | None:
    return Narrative.objects.filter(**area.model_kwargs(), date_from=period.date_from, date_to=period.date_to).first()


@transaction.atomic
def narrative_save(*, actor, area: Area, period: Period, sections: dict[str, str]) -> Narrative:
    """Create or update the area's narrative for the period. `sections` has passed the privacy guard (forms.py)."""
    narrative = (
        Narrative.objects.select_for_update()
        .filter(**area.model_kwargs(), date_from=period.date_from, date_to=period.date_to)
        .first()
    )
    created = narrative is None
    if created:
        narrative = Narrative(**area.model_kwargs(), date_from=period.date_from, date_to=period.date_to)
    for name in Narrative.SECTIONS:
        setattr(narrative, name, sections.get(name, ""))
    narrative.updated_by = actor
    narrative.full_clean()
    narrative.save()
    # Only which sections changed is logged, not their text: the narrative itself is the record.
    log_action(
        actor,
        "reports.narrative_create" if created else "reports.narrative_update",
        narrative,
        **_filters(area, period),
    )
    return narrative


@transaction.atomic
def report_publish(*, actor, area: Area, period: Period) -> PublishedReport:
    """Freeze the social report as it is now: its PDF bytes are kept, numbered per area and period."""
    # Locking the area's row makes concurrent publications take their numbers in turn (PostgreSQL
    # refuses FOR UPDATE on an aggregate, and there is no row to lock before the first version).
    type(area.obj).objects.select_for_update().get(pk=area.obj.pk)
    versions = PublishedReport.objects.filter(**area.model_kwargs(), date_from=period.date_from, date_to=period.date_to)
    version = (versions.aggregate(last=Max("version"))["last"] or 0) + 1
    document = figures.report_document(actor, area, period, narrative_for(area, period))
    report = PublishedReport(
        **area.model_kwargs(),
        date_from=period.date_from,
        date_to=period.date_to,
        version=version,
        language=get_language(),
        published_by=actor,
    )
    report.set_pdf(build_pdf(document, version=version))
    report.full_clean(exclude=["pdf"])
    report.save()
    log_action(actor, "reports.publish", report, **_filters(area, period, version=version, sha256=report.sha256))
    return report


def download_log(*, actor, document: str, area: Area, period: Period, published: PublishedReport | None = None) -> None:
    """Every export and download goes to the audit log: who, which document, which filters."""
    extra = {"version": published.version} if published else {}
    log_action(actor, f"reports.download_{document}", published or area.obj, **_filters(area, period, **extra))


@transaction.atomic
def cost_create(*, actor, cost: SessionSeriesCost) -> SessionSeriesCost:
    cost.created_by = actor
    cost.full_clean()
    cost.save()
    log_action(actor, "reports.cost_create", cost, **snapshot(cost))
    return cost


@transaction.atomic
def cost_delete(*, actor, cost: SessionSeriesCost) -> None:
    log_action(actor, "reports.cost_delete", cost, **snapshot(cost))
    cost.delete()
