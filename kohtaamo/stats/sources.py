"""Where counts come from: the rollups (what the dashboard reads) or the raw rows (the truth they are tested against).

Both answer the same four questions for a StatsFilter with unsuppressed integers; queries.py turns
them into suppressed tables. An encounter (or a wish) counts on its session's date and at its session's site.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from django.db.models import Count, Q, Sum

from kohtaamo.directory.models import Site
from kohtaamo.encounters.models import Encounter, Session, Wish
from kohtaamo.stats.models import ALL, ALL_KINDS, ALL_PARTNERS, AreaMonthCount, Dimension, SiteMonth, SiteWeek

if TYPE_CHECKING:
    from kohtaamo.stats.queries import StatsFilter

MEASURES = ("sessions", "visitors", "encounters", "wishes")

# The encounter's many-to-many field behind each multi-valued dimension.
TERM_FIELDS = {
    Dimension.TOPIC: "topics",
    Dimension.HELP_FORM: "help_forms",
    Dimension.REFERRAL: "referrals",
    Dimension.MORE_INFO: "more_info",
}


class Source(Protocol):
    def totals(self, filt: StatsFilter) -> dict[str, int]: ...
    def by_week(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]: ...
    def by_month(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]: ...
    def by_site(self, filt: StatsFilter, measure: str) -> dict[int, int]: ...
    def counts(self, filt: StatsFilter, dimension: str) -> dict[str, int]: ...


def site_q(filt: StatsFilter, prefix: str) -> Q:
    """The filter's geographic and kind choices, on a model `prefix` away from Site."""
    q = Q()
    if filt.county:
        q &= Q(**{f"{prefix}municipality__county__code": filt.county})
    if filt.municipality:
        q &= Q(**{f"{prefix}municipality__code": filt.municipality})
    if filt.site:
        q &= Q(**{f"{prefix}pk": filt.site})
    if filt.kind:
        q &= Q(**{f"{prefix}kind": filt.kind})
    if filt.site_ids is not None:
        q &= Q(**{f"{prefix}pk__in": sorted(filt.site_ids)})
    return q


def week_start(day: dt.date) -> dt.date:
    """The day's week part: its ISO week's Monday, or the first day of its month if that is later.

    Periods are whole months, so a period's weeks are exactly its months' week parts (SiteWeek.start).
    """
    return max(day - dt.timedelta(days=day.weekday()), day.replace(day=1))


class Rollups:
    """Reads SiteMonth (totals, sites, months), SiteWeek (weeks) and AreaMonthCount (breakdowns).

    Every period is whole months (StatsFilter), so the monthly rows answer exactly what daily ones would.
    The breakdowns are kept per area, not per site (models.AreaMonthCount); what a filter's areas
    don't cover whole is counted from the raw rows of the sites left over (`_plan`).
    """

    def _place(self, filt: StatsFilter) -> Q:
        if not (filt.county or filt.municipality or filt.kind):
            return site_q(filt, "site__")  # no join needed: site ids only
        # Sites first, then the rollup by site id: the planner reads the rollup's index by (partner, month).
        return Q(site_id__in=Site.objects.filter(site_q(filt, "")).values("pk"))

    def _months(self, filt: StatsFilter):
        return SiteMonth.objects.filter(
            self._place(filt), month__range=(filt.date_from, filt.date_to), partner=filt.partner or ALL_PARTNERS
        )

    def totals(self, filt: StatsFilter) -> dict[str, int]:
        sums = self._months(filt).aggregate(**{measure: Sum(measure) for measure in MEASURES})
        return {measure: sums[measure] or 0 for measure in MEASURES}

    def by_week(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        if filt.partner:  # SiteWeek is for all sessions only: a partner's weeks come from its sessions
            return RAW.by_week(filt, measure)
        rows = SiteWeek.objects.filter(self._place(filt), start__range=(filt.date_from, filt.date_to))
        return dict(rows.values("start").annotate(n=Sum(measure)).values_list("start", "n"))

    def by_month(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        rows = self._months(filt).values("month").annotate(n=Sum(measure)).values_list("month", "n")
        return dict(rows)

    def by_site(self, filt: StatsFilter, measure: str) -> dict[int, int]:
        rows = self._months(filt).values("site_id").annotate(n=Sum(measure)).values_list("site_id", "n")
        return dict(rows)

    def _plan(self, filt: StatsFilter) -> tuple[Q | None, frozenset[int]]:
        """Which AreaMonthCount rows hold the filter's sites whole, and which sites are left for the raw rows.

        Whole counties read the county rows (per kind or per partner when one is chosen); without a kind
        or a partner, whole municipalities read the municipality rows. A partner and a kind together, one
        site among others of its municipality, or a scope of named sites: those sites' raw rows.
        """
        chosen = list(
            Site.objects.filter(site_q(filt, "")).values_list("pk", "municipality_id", "municipality__county_id")
        )
        chosen_ids = {pk for pk, _m, _c in chosen}
        counties = {county for _pk, _m, county in chosen}
        if filt.partner and filt.kind:
            return None, frozenset(chosen_ids)
        every = Site.objects.filter(municipality__county_id__in=counties)
        if filt.kind:
            every = every.filter(kind=filt.kind)
        in_county: dict[int, set[int]] = defaultdict(set)
        in_municipality: dict[int, set[int]] = defaultdict(set)
        for pk, municipality, county in every.values_list("pk", "municipality_id", "municipality__county_id"):
            in_county[county].add(pk)
            in_municipality[municipality].add(pk)
        whole = {county for county in counties if in_county[county] <= chosen_ids}
        q = None
        if whole:
            q = Q(county__in=sorted(whole), municipality=ALL, kind=filt.kind or ALL_KINDS)
            q &= Q(partner=filt.partner or ALL_PARTNERS)
        left = {(pk, municipality, county) for pk, municipality, county in chosen if county not in whole}
        if not filt.kind and not filt.partner:
            towns = {m for _pk, m, _c in left if in_municipality[m] <= chosen_ids}
            if towns:
                their_counties = sorted({c for _pk, m, c in left if m in towns})
                town_q = Q(
                    county__in=their_counties, municipality__in=sorted(towns), kind=ALL_KINDS, partner=ALL_PARTNERS
                )
                q = town_q if q is None else q | town_q
                left = {row for row in left if row[1] not in towns}
        return q, frozenset(pk for pk, _m, _c in left)

    def _counts(self, filt: StatsFilter, dimensions: list[str] | None) -> dict[str, dict[str, int]]:
        answer: dict[str, dict[str, int]] = defaultdict(dict)
        areas, left = self._plan(filt)
        if areas is not None:
            rows = AreaMonthCount.objects.filter(areas, month__range=(filt.date_from, filt.date_to))
            if dimensions is not None:
                rows = rows.filter(dimension__in=dimensions)
            for dimension, key, n in (
                rows.values("dimension", "key").annotate(n=Sum("count")).values_list("dimension", "key", "n")
            ):
                answer[dimension][key] = n
        if left:
            rest = replace(filt, county=None, municipality=None, site=None, kind=None, site_ids=left)
            for dimension in dimensions or Dimension.values:
                for key, n in RAW.counts(rest, dimension).items():
                    answer[dimension][key] = answer[dimension].get(key, 0) + n
        return {dimension: counts for dimension, counts in answer.items() if counts}

    def all_counts(self, filt: StatsFilter) -> dict[str, dict[str, int]]:
        """Every dimension's counts: what a whole page needs, one query over the rollups (and the raw rows left)."""
        return self._counts(filt, None)

    def counts(self, filt: StatsFilter, dimension: str) -> dict[str, int]:
        return self._counts(filt, [dimension]).get(dimension, {})


class Raw:
    """The same answers straight from sessions, encounters and wishes: slow, and the reference for the tests."""

    def _sessions(self, filt: StatsFilter, prefix: str = "") -> Q:
        q = site_q(filt, f"{prefix}site__") & Q(**{f"{prefix}date__range": (filt.date_from, filt.date_to)})
        if filt.partner:
            q &= Q(**{f"{prefix}partners__id": filt.partner})
        return q

    def _measure_rows(self, filt: StatsFilter, measure: str, group: str) -> dict:
        if measure in ("sessions", "visitors"):
            path = {"day": "date", "site": "site_id"}[group]
            qs = Session.objects.filter(self._sessions(filt)).values(path)
            qs = qs.annotate(n=Count("id") if measure == "sessions" else Sum("visitor_count"))
        else:
            path = {"day": "session__date", "site": "session__site_id"}[group]
            model = Encounter if measure == "encounters" else Wish
            qs = model.objects.filter(self._sessions(filt, "session__")).values(path).annotate(n=Count("id"))
        return {key: n for key, n in qs.values_list(path, "n") if n}

    def totals(self, filt: StatsFilter) -> dict[str, int]:
        sessions = Session.objects.filter(self._sessions(filt)).aggregate(s=Count("id"), v=Sum("visitor_count"))
        return {
            "sessions": sessions["s"] or 0,
            "visitors": sessions["v"] or 0,
            "encounters": Encounter.objects.filter(self._sessions(filt, "session__")).count(),
            "wishes": Wish.objects.filter(self._sessions(filt, "session__")).count(),
        }

    def by_day(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        return self._measure_rows(filt, measure, "day")

    def by_week(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        weeks: dict[dt.date, int] = {}
        for day, n in self.by_day(filt, measure).items():
            weeks[week_start(day)] = weeks.get(week_start(day), 0) + n
        return weeks

    def by_month(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        months: dict[dt.date, int] = {}
        for day, n in self.by_day(filt, measure).items():
            months[day.replace(day=1)] = months.get(day.replace(day=1), 0) + n
        return months

    def by_site(self, filt: StatsFilter, measure: str) -> dict[int, int]:
        return self._measure_rows(filt, measure, "site")

    def counts(self, filt: StatsFilter, dimension: str) -> dict[str, int]:
        if dimension == Dimension.COPING:
            qs = Encounter.objects.filter(self._sessions(filt, "session__"), coping__isnull=False)
            return dict(qs.values("coping").annotate(n=Count("id")).values_list("coping", "n"))
        if dimension == Dimension.WISH_THEME:
            through = Wish.themes.through
            qs = through.objects.filter(self._sessions(filt, "wish__session__"))
        else:
            through = getattr(Encounter, TERM_FIELDS[dimension]).through
            qs = through.objects.filter(self._sessions(filt, "encounter__session__"))
        return dict(qs.values("term__code").annotate(n=Count("id")).values_list("term__code", "n"))


def places(filt: StatsFilter) -> list[tuple[int, str, int, str, str]]:
    """The filter's sites: (pk, name, municipality id, code and name), names in the current language."""
    sites = Site.objects.filter(site_q(filt, "")).select_related("municipality")
    return [(s.pk, s.name, s.municipality_id, s.municipality.code, s.municipality.name) for s in sites]


class Memo:
    """A source that answers each question once: the dashboard asks for the same totals in several tables."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.answers: dict[tuple, object] = {}

    def _ask(self, question: str, *args):
        key = (question, *args)
        if key not in self.answers:
            self.answers[key] = getattr(self.source, question)(*args)
        return self.answers[key]

    def totals(self, filt: StatsFilter) -> dict[str, int]:
        return self._ask("totals", filt)

    def by_week(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        return self._ask("by_week", filt, measure)

    def by_month(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        return self._ask("by_month", filt, measure)

    def by_site(self, filt: StatsFilter, measure: str) -> dict[int, int]:
        return self._ask("by_site", filt, measure)

    def counts(self, filt: StatsFilter, dimension: str) -> dict[str, int]:
        if hasattr(self.source, "all_counts"):  # the rollups: one query for every breakdown of the page
            return self._ask("all_counts", filt).get(dimension, {})
        return self._ask("counts", filt, dimension)

    def places(self, filt: StatsFilter) -> list[tuple[int, str, int, str, str]]:
        key = ("places", filt)
        if key not in self.answers:
            self.answers[key] = places(filt)
        return self.answers[key]


ROLLUPS = Rollups()
RAW = Raw()
DEFAULT: Source = ROLLUPS
