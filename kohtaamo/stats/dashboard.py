"""What the dashboard shows for a filter, gathered in one place so the page, its XLSX and the tests agree."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kohtaamo.stats import charts, sources
from kohtaamo.stats.queries import GROUP_LABELS, StatsFilter, Table, breakdown, changes, derived, key_figures
from kohtaamo.stats.suppression import Cell

# The breakdowns under the key figures, in the order decision makers asked for them.
SECTIONS = ("municipality", "site", "topic", "referral", "more_info", "help_form", "coping", "wish_theme")
FIGURE_LABELS = {
    "visitors": _("Visitors"),
    "sessions": _("Sessions"),
    "encounters": _("Encounters"),
    "wishes": _("Wishes for the area"),
}


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    table: Table
    chart: charts.Chart


@dataclass(frozen=True)
class Figure:
    slug: str
    label: str
    cell: Cell
    change: float | None  # percent from the previous period, None when either is hidden


@dataclass(frozen=True)
class Dashboard:
    filt: StatsFilter
    figures: list[Figure]
    ratios: dict[str, float | None]
    trends: list[Section]
    sections: list[Section]

    @property
    def sheets(self) -> list[tuple[str, Table]]:
        return [(section.title, section.table) for section in self.trends + self.sections]

    @property
    def cells(self) -> dict[str, Cell]:
        return {figure.slug: figure.cell for figure in self.figures}


def dashboard_build(*, filt: StatsFilter, trend: str = "month") -> Dashboard:
    # One memo for the whole page: the term tables' totals are the key figures asked again.
    source = sources.Memo(sources.DEFAULT)
    figures = key_figures(filt, source=source)
    change = changes(filt, source=source)
    trends = []
    for measure, title in (("encounters", _("Encounters by %(period)s")), ("visitors", _("Visitors by %(period)s"))):
        table = breakdown(filt, trend, measure=measure, source=source)
        period = _("month") if trend == "month" else _("week")
        trends.append(Section(f"{trend}-{measure}", title % {"period": period}, table, charts.columns(table)))
    sections = []
    for group in SECTIONS:
        if group == "site" and filt.site:
            continue  # one site: its row would only repeat the key figures
        table = breakdown(filt, group, source=source)
        sections.append(Section(group, str(GROUP_LABELS[group]), table, charts.bars(table)))
    return Dashboard(
        filt=filt,
        figures=[Figure(slug, str(FIGURE_LABELS[slug]), figures[slug], change[slug]) for slug in FIGURE_LABELS],
        ratios=derived(figures),
        trends=trends,
        sections=sections,
    )
