"""The statistics every output shows: key figures and breakdowns for a filter, already suppressed.

The dashboard, the stats API and its CSV/XLSX, and the reports app (slide, PDF) all call
`key_figures()` and `breakdown()`; none of them sees a raw count. Numbers come from the rollups
(`sources.ROLLUPS`); pass `source=sources.RAW` to read the raw rows instead (tests, benchmark).
A view or a report that shows figures calls `rollups.ensure_fresh()` once before reading, so that
what was logged a moment ago is included (the timer alone may be two minutes behind).

Deviations from the first contract, kept compatible: `StatsFilter` snaps its period to whole
calendar months (a defence against differencing, see suppression.py) and has `site_ids`, the
sites of the user's scope that `scoped_filter()` fills in; `breakdown()` takes an optional
`measure` (encounters, visitors, sessions) for the site, municipality, month and week groupings;
`Table` says whether its rows add up to its total (`additive`) and which `measure` it counts.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kohtaamo.accounts import permissions
from kohtaamo.directory.models import Site
from kohtaamo.encounters import taxonomies
from kohtaamo.encounters.models import Coping, TermKind
from kohtaamo.stats import sources
from kohtaamo.stats.suppression import Cell, cell, change, protect, ratio

TERM_GROUPS = {
    "topic": TermKind.TOPIC,
    "help_form": TermKind.HELP_FORM,
    "referral": TermKind.REFERRAL,
    "more_info": TermKind.MORE_INFO,
    "wish_theme": TermKind.WISH_THEME,
}
MEASURED_GROUPS = ("site", "municipality", "month", "week")
GROUPS = (
    "topic",
    "referral",
    "more_info",
    "help_form",
    "site",
    "municipality",
    "month",
    "week",
    "coping",
    "wish_theme",
)
MEASURES = ("encounters", "visitors", "sessions")
KEY_FIGURES = ("visitors", "sessions", "encounters", "wishes")
GROUP_LABELS = {
    "topic": _("Matters helped with"),
    "referral": _("Referrals by target"),
    "more_info": _("Information needed on"),
    "help_form": _("Forms of help"),
    "site": _("By site"),
    "municipality": _("By municipality"),
    "month": _("By month"),
    "week": _("By week"),
    "coping": _("Sense of coping after the visit"),
    "wish_theme": _("Wishes by theme"),
}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class StatsFilter:
    date_from: dt.date
    date_to: dt.date  # inclusive
    county: str | None = None  # Statistics Finland code
    municipality: str | None = None  # code
    site: int | None = None
    kind: str | None = None  # Site kind value
    partner: int | None = None  # Organisation id
    site_ids: frozenset[int] | None = field(default=None, compare=True)  # the user's scope; None: everywhere

    def __post_init__(self) -> None:
        # Whole months only: two periods then never differ by a day or a week (docs/privacy.md).
        object.__setattr__(self, "date_from", month_start(self.date_from))
        object.__setattr__(self, "date_to", month_end(self.date_to))
        if self.date_from > self.date_to:
            raise ValueError("The period ends before it starts.")

    @property
    def months(self) -> int:
        return (self.date_to.year - self.date_from.year) * 12 + self.date_to.month - self.date_from.month + 1

    def previous(self) -> StatsFilter:
        """The same number of months just before."""
        start = add_months(self.date_from, -self.months)
        return replace(self, date_from=start, date_to=self.date_from - dt.timedelta(days=1))

    def describe(self) -> dict[str, object]:
        """The choices, for the audit log (the scope is the user's own and not repeated)."""
        chosen = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        for name in ("county", "municipality", "site", "kind", "partner"):
            if getattr(self, name) is not None:
                chosen[name] = getattr(self, name)
        return chosen


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cell: Cell


@dataclass(frozen=True)
class Table:
    dimension: str
    rows: list[Row]
    total: Cell
    additive: bool = True
    measure: str = "encounters"


def scoped_filter(user, filt: StatsFilter) -> StatsFilter:
    """The filter narrowed to the sites the user may read statistics of: 403 for a role without
    statistics, 404 for a county, municipality or site outside the user's area."""
    permissions.require(user, permissions.STATS)
    reachable = Site.objects.filter(permissions.scope_q(user, Site, permissions.STATS))
    if filt.site is not None:
        permissions.get_object(user, Site, permissions.STATS, pk=filt.site)
    for name, lookup in (("county", "municipality__county__code"), ("municipality", "municipality__code")):
        value = getattr(filt, name)
        if value is not None and not reachable.filter(**{lookup: value}).exists():
            raise Http404
    if user.is_superuser:
        return filt
    return replace(filt, site_ids=frozenset(reachable.values_list("pk", flat=True)))


def key_figures(filt: StatsFilter, *, source: sources.Source | None = None) -> dict[str, Cell]:
    """Visitors, sessions, encounters and wishes: each count on its own (they are different things)."""
    totals = (source or sources.DEFAULT).totals(filt)
    return {name: cell(totals[name]) for name in KEY_FIGURES}


def derived(figures: dict[str, Cell]) -> dict[str, float | None]:
    """Ratios from shown figures only; None where either side is hidden."""
    return {
        "encounters_per_session": ratio(figures["encounters"], figures["sessions"]),
        "visitors_per_session": ratio(figures["visitors"], figures["sessions"]),
    }


def changes(filt: StatsFilter, *, source: sources.Source | None = None) -> dict[str, float | None]:
    """Percentage change of each key figure from the previous period of the same length."""
    source = source or sources.DEFAULT
    current, previous = key_figures(filt, source=source), key_figures(filt.previous(), source=source)
    return {name: change(current[name], previous[name]) for name in KEY_FIGURES}


def breakdown(
    filt: StatsFilter, group_by: str, *, measure: str = "encounters", source: sources.Source | None = None
) -> Table:
    source = source or sources.DEFAULT
    if group_by not in GROUPS:
        raise ValueError(f"Unknown grouping {group_by!r}; use one of {GROUPS}")
    if measure not in MEASURES or (measure != "encounters" and group_by not in MEASURED_GROUPS):
        raise ValueError(f"{group_by} counts encounters only")
    if group_by in TERM_GROUPS:
        return _terms(filt, group_by, source)
    if group_by == "coping":
        return _coping(filt, source)
    if group_by in ("site", "municipality"):
        return _places(filt, group_by, measure, source)
    return _periods(filt, group_by, measure, source)


def _terms(filt: StatsFilter, group_by: str, source: sources.Source) -> Table:
    counts = source.counts(filt, group_by)
    # The active national terms, with zeros, and any other term that was used.
    kind = TERM_GROUPS[group_by]
    labels = {
        term.code: term.label
        for term in (source.terms() if isinstance(source, sources.Memo) else taxonomies.cached_terms())
        if term.kind == kind and (term.code in counts or (term.active and term.county_id is None))
    }
    measure = "wishes" if group_by == "wish_theme" else "encounters"
    # An encounter may have several matters, so the rows don't add up to the total: no secondary suppression.
    cells, total = protect(
        {code: counts.get(code, 0) for code in labels}, total=source.totals(filt)[measure], additive=False
    )
    rows = sorted((Row(code, labels[code], cells[code]) for code in labels), key=lambda r: -counts.get(r.key, 0))
    return Table(group_by, rows, total, additive=False, measure=measure)


def _coping(filt: StatsFilter, source: sources.Source) -> Table:
    counts = source.counts(filt, "coping")
    values = {choice.value: counts.get(choice.value, 0) for choice in Coping}
    cells, total = protect(values, total=sum(values.values()), additive=True)
    return Table("coping", [Row(c.value, str(c.label), cells[c.value]) for c in Coping], total)


def _places(filt: StatsFilter, group_by: str, measure: str, source: sources.Source) -> Table:
    per_site = source.by_site(filt, measure)
    # The sites once per page (the site and the municipality tables both need them).
    sites = source.places(filt) if isinstance(source, sources.Memo) else sources.places(filt)
    if group_by == "site":
        # Sites also add up to their municipality's figure, so each municipality's sites are protected together.
        counts = {str(pk): per_site.get(pk, 0) for pk, *_rest in sites}
        labels = {str(pk): f"{name} ({town})" for pk, name, _id, _code, town in sites}
        groups = {str(pk): town_id for pk, _name, town_id, _code, _town in sites}
    else:
        counts, labels = defaultdict(int), {}
        for pk, _name, _id, code, town in sites:
            counts[code] += per_site.get(pk, 0)
            labels[code] = town
        groups = None
    cells, total = protect(counts, total=sum(counts.values()), additive=True, groups=groups)
    rows = [Row(key, labels[key], cells[key]) for key in sorted(labels, key=lambda k: labels[k])]
    return Table(group_by, rows, total, measure=measure)


def _period_key(day: dt.date, group_by: str) -> tuple[str, str]:
    if group_by == "month":
        return f"{day:%Y-%m}", date_format(day, "YEAR_MONTH_FORMAT")
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02}", _("week %(week)d/%(year)d") % {"week": week, "year": year}


def _periods(filt: StatsFilter, group_by: str, measure: str, source: sources.Source) -> Table:
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    if group_by == "month":  # the monthly rollup: whole months only, as every period is
        per_month = source.by_month(filt, measure)
        month = filt.date_from
        while month <= filt.date_to:  # every month of the period, empty ones too
            key, labels[key] = _period_key(month, group_by)
            counts[key] = per_month.get(month, 0)
            month = add_months(month, 1)
    else:
        per_week = source.by_week(filt, measure)  # by week part: weeks cut at month boundaries
        day = filt.date_from
        while day <= filt.date_to:  # every week of the period, empty ones too
            key, label = _period_key(day, group_by)
            counts[key] = counts.get(key, 0) + per_week.get(day, 0)
            labels[key] = label
            day += dt.timedelta(days=1)
    cells, total = protect(counts, total=sum(counts.values()), additive=True)
    return Table(group_by, [Row(key, labels[key], cells[key]) for key in counts], total, measure=measure)
