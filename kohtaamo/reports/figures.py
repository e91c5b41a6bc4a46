"""The content of a document as plain data: figures from the stats query layer, sites' documentation, costs.

Every number about visitors comes from `kohtaamo.stats.queries` as a suppression `Cell`; the
document builders (slide.py, social_report.py) only lay out what this module hands them, so
they cannot show a raw count by mistake.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kohtaamo.directory.models import Site
from kohtaamo.reports.areas import Area, Period
from kohtaamo.reports.models import Narrative, SessionSeriesCost
from kohtaamo.stats import queries, rollups
from kohtaamo.stats.suppression import THRESHOLD, Cell, rounding_base

KEY_FIGURES = {
    "visitors": _("Visitors"),
    "sessions": _("Sessions"),
    "encounters": _("Encounters"),
    "wishes": _("Wishes for the area"),
}

# The breakdowns of the social report, in order, with their headings.
REPORT_TABLES = {
    "month": _("Encounters by month"),
    "topic": _("Matters helped with"),
    "help_form": _("Forms of help"),
    "referral": _("Referral paths"),
    "more_info": _("Information needs"),
    "wish_theme": _("Visitors' wishes by theme"),
    "coping": _("Sense of coping after the visit"),
}


@dataclass(frozen=True)
class SiteSheet:
    """One site's documentation, as seed 002's per-municipality slide asks for it."""

    name: str
    kind: str
    place: str
    actors: list[str]
    frequency: str
    hours: list[str]
    metrics: str
    consultation: str
    work_pair: str
    evaluation: str
    responsible: str


@dataclass(frozen=True)
class CostLine:
    site: str
    supplier: str
    description: str
    date_from: dt.date
    date_to: dt.date
    sessions: int
    amount: Decimal
    per_session: Decimal
    # None when the series' encounters are suppressed: dividing by a small count would reveal it.
    per_encounter: Decimal | None


@dataclass(frozen=True)
class Document:
    area_name: str
    county_name: str
    period: Period
    key: dict[str, Cell]
    threshold: int
    generated_at: dt.datetime
    tables: list[tuple[str, queries.Table]] = field(default_factory=list)
    sites: list[SiteSheet] = field(default_factory=list)
    costs: list[CostLine] = field(default_factory=list)
    narrative: list[tuple[str, str]] = field(default_factory=list)
    rounding: int = 1  # shown figures are rounded to a multiple of this (suppression.py)

    def key_rows(self) -> list[tuple[str, Cell]]:
        return [(str(label), self.key[name]) for name, label in KEY_FIGURES.items() if name in self.key]


def _filter(user, area: Area, period: Period, **extra) -> queries.StatsFilter:
    wanted = queries.StatsFilter(date_from=period.date_from, date_to=period.date_to, **area.filter_kwargs(), **extra)
    return queries.scoped_filter(user, wanted)


def site_sheets(area: Area) -> list[SiteSheet]:
    sites = Site.objects.filter(
        **{"municipality": area.obj} if area.is_municipality else {"municipality__county": area.obj}
    )
    sheets = []
    for site in sites.with_hours().order_by("municipality__name_fi", "name_fi"):
        actors = {str(org) for org in site.organisations.all()}
        actors |= {str(org) for rule in site.opening_rules.all() for org in rule.partners.all()}
        place = ", ".join(part for part in (site.street_address, str(site.municipality)) if part)
        sheets.append(
            SiteSheet(
                name=site.name,
                kind=str(site.get_kind_display()),
                place=place,
                actors=sorted(actors),
                frequency=str(site.get_frequency_display()) if site.frequency else "",
                hours=[rule.as_slot().describe() for rule in site.opening_rules.all()],
                metrics=site.metrics,
                consultation=site.consultation_practice,
                work_pair=site.work_pair_practice,
                evaluation=site.evaluation_schedule,
                responsible=site.responsible_person,
            )
        )
    return sheets


def cost_lines(user, area: Area, period: Period) -> list[CostLine]:
    """Series that overlap the period at the area's sites, with cost per session and per encounter."""
    costs = SessionSeriesCost.objects.filter(date_from__lte=period.date_to, date_to__gte=period.date_from)
    if area.is_municipality:
        costs = costs.filter(site__municipality=area.obj)
    else:
        costs = costs.filter(site__municipality__county=area.obj)
    lines = []
    for cost in costs.select_related("site", "supplier").order_by("date_from", "pk"):
        series = Period(cost.date_from, cost.date_to)
        encounters = queries.key_figures(_filter(user, area, series, site=cost.site_id))["encounters"]
        per_encounter = None
        if not encounters.suppressed and encounters.value:
            per_encounter = (cost.amount / encounters.value).quantize(Decimal("0.01"))
        lines.append(
            CostLine(
                site=cost.site.name,
                supplier=str(cost.supplier) if cost.supplier else "",
                description=cost.description,
                date_from=cost.date_from,
                date_to=cost.date_to,
                sessions=cost.sessions,
                amount=cost.amount,
                per_session=cost.per_session,
                per_encounter=per_encounter,
            )
        )
    return lines


def _base(user, area: Area, period: Period) -> Document:
    rollups.ensure_fresh()  # every document starts here: its figures as fresh as the dashboard's
    county = area.obj.county if area.is_municipality else area.obj
    return Document(
        area_name=area.name,
        county_name=county.name,
        period=period,
        key=queries.key_figures(_filter(user, area, period)),
        threshold=THRESHOLD,
        generated_at=timezone.now(),
        rounding=rounding_base(),
    )


def slide_document(user, area: Area, period: Period) -> Document:
    base = _base(user, area, period)
    month = queries.breakdown(_filter(user, area, period), "month")
    return Document(
        **{**base.__dict__, "tables": [(str(REPORT_TABLES["month"]), month)], "sites": site_sheets(area)},
    )


def report_document(user, area: Area, period: Period, narrative: Narrative | None) -> Document:
    base = _base(user, area, period)
    filt = _filter(user, area, period)
    by_place = (
        ("site", _("Encounters by site")) if area.is_municipality else ("municipality", _("Encounters by municipality"))
    )
    wanted = [("month", REPORT_TABLES["month"]), by_place, *list(REPORT_TABLES.items())[1:]]
    tables = [(str(title), queries.breakdown(filt, name)) for name, title in wanted]
    return Document(
        **{
            **base.__dict__,
            "tables": tables,
            "costs": cost_lines(user, area, period),
            "narrative": narrative.sections() if narrative else [],
        }
    )
